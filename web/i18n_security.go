package web

// securityCatalog holds the messages of the login limits, the password
// policy and the admin pages for accounts and tokens (issues 13 and
// 14), Vietnamese first. They are merged into catalog at start so that
// TestCatalogComplete checks them like every other key.
var securityCatalog = map[string][2]string{ // [vi, en]
	"login_busy":         {"Hệ thống đang bận xử lý đăng nhập. Vui lòng thử lại sau vài giây.", "Sign-in is busy. Please try again in a few seconds."},
	"pw_too_short":       {"Mật khẩu quá ngắn: cần ít nhất %d ký tự.", "The password is too short: it needs at least %d characters."},
	"pw_too_long":        {"Mật khẩu quá dài: tối đa %d ký tự.", "The password is too long: at most %d characters."},
	"pw_too_weak":        {"Mật khẩu quá dễ đoán (ví dụ lặp ký tự, dãy phím, từ thông dụng, tên đăng nhập). Hãy dùng một câu dài gồm vài từ không liên quan.", "The password is too easy to guess (repeats, keyboard runs, common words, the user name). Use a long phrase of a few unrelated words."},
	"pw_bad_chars":       {"Mật khẩu chứa ký tự không hợp lệ.", "The password contains characters that are not allowed."},
	"admin_accounts":     {"Tài khoản", "Accounts"},
	"admin_tokens":       {"Mã truy cập API", "API tokens"},
	"admin_audit":        {"Nhật ký quản trị", "Audit log"},
	"admin_add_user":     {"Thêm tài khoản", "Add an account"},
	"admin_add":          {"Thêm", "Add"},
	"admin_disable":      {"Khóa", "Disable"},
	"admin_enable":       {"Mở khóa", "Enable"},
	"admin_reset_pw":     {"Đặt lại mật khẩu", "Reset password"},
	"admin_set_role":     {"Đổi vai trò", "Change role"},
	"admin_new_password": {"Mật khẩu mới (hiển thị một lần, hãy gửi cho người dùng qua kênh an toàn):", "New password (shown once; give it to the user over a safe channel):"},
	"admin_new_token":    {"Mã truy cập mới (hiển thị một lần, gửi kèm tiêu đề Authorization: Bearer):", "New API token (shown once; send it as Authorization: Bearer):"},
	"admin_create_token": {"Tạo mã truy cập", "Create a token"},
	"admin_revoke":       {"Thu hồi", "Revoke"},
	"admin_token_id":     {"Mã nhận dạng", "Token ID"},
	"admin_label":        {"Mục đích", "Label"},
	"admin_expires":      {"Hết hạn", "Expires"},
	"admin_expired":      {"Đã hết hạn", "Expired"},
	"admin_ttl_days":     {"Thời hạn (ngày)", "Lifetime (days)"},
	"admin_no_tokens":    {"Chưa có mã truy cập nào.", "No API tokens."},
	"admin_done":         {"Đã thực hiện.", "Done."},
	"admin_revoked_note": {"Mọi phiên đăng nhập và mã truy cập cũ của tài khoản này đã bị chấm dứt.", "Every earlier session and API token of this account has ended."},
	"admin_err_name":     {"Tên đăng nhập chỉ gồm 1–64 chữ cái không dấu, chữ số, '.', '_', '-' hoặc '@'.", "User names have 1–64 letters, digits, '.', '_', '-' or '@'."},
	"admin_err_exists":   {"Tài khoản này đã tồn tại.", "This account already exists."},
	"admin_err_role":     {"Vai trò không hợp lệ.", "Unknown role."},
	"admin_err_self":     {"Không thể tự khóa hoặc hạ quyền tài khoản đang dùng.", "You cannot disable or demote the account you are using."},
	"admin_err_ttl":      {"Thời hạn phải từ 1 đến 365 ngày.", "The lifetime must be 1 to 365 days."},
	"admin_err_notfound": {"Không tìm thấy.", "Not found."},
	"admin_users_note":   {"Đổi mật khẩu, khóa hoặc mở khóa sẽ chấm dứt mọi phiên đăng nhập và mã truy cập cũ của tài khoản.", "A password reset, disable or enable ends every earlier session and API token of the account."},
}

func init() {
	for k, v := range securityCatalog {
		if _, dup := catalog[k]; !dup {
			catalog[k] = v
		}
	}
}
