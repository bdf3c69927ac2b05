package web

import (
	"net/http"

	"github.com/dongnai/presswatch/internal/l10n"
)

// Languages of the UI; Vietnamese first.
const (
	langVI = "vi"
	langEN = "en"
)

// catalog maps a message key to its text in each language. A key missing in
// a language falls back to Vietnamese; a key missing here is looked up in
// pageCatalog (labels.go), then in the domain catalogue (internal/l10n:
// topics, reasons, states, receivers, countries, languages), then shown as
// the key itself. TestCatalogComplete keeps every language complete.
var catalog = map[string][2]string{ // [vi, en]
	"app_name":             {"Theo dõi báo chí nước ngoài", "Foreign press monitor"},
	"province":             {"Đồng Nai", "Đồng Nai"},
	"nav_dashboard":        {"Tổng quan", "Dashboard"},
	"nav_search":           {"Tìm kiếm", "Search"},
	"nav_alerts":           {"Cảnh báo", "Alerts"},
	"nav_reports":          {"Báo cáo", "Reports"},
	"nav_saved":            {"Tìm kiếm đã lưu", "Saved searches"},
	"nav_sources":          {"Nguồn tin", "Sources"},
	"nav_users":            {"Tài khoản", "Accounts"},
	"logout":               {"Đăng xuất", "Log out"},
	"login":                {"Đăng nhập", "Log in"},
	"login_title":          {"Đăng nhập hệ thống", "Sign in"},
	"username":             {"Tên đăng nhập", "User name"},
	"password":             {"Mật khẩu", "Password"},
	"login_failed":         {"Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong user name or password."},
	"login_limited":        {"Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau ít phút.", "Too many failed logins. Please try again in a few minutes."},
	"login_expired":        {"Biểu mẫu đã hết hạn, vui lòng thử lại.", "The form expired; please try again."},
	"search_placeholder":   {"Ví dụ: Đồng Nai AND (sân bay OR Long Thành)", "e.g. Dong Nai AND (airport OR \"Long Thanh\")"},
	"search_button":        {"Tìm", "Search"},
	"search_help":          {"Có thể gõ không dấu. Toán tử: AND, OR, NOT, NEAR/n, \"cụm từ\", tiền tố*, trường:giá trị.", "Diacritics are optional. Operators: AND, OR, NOT, NEAR/n, \"phrase\", prefix*, field:value."},
	"results":              {"kết quả", "results"},
	"result":               {"kết quả", "result"},
	"no_results":           {"Không tìm thấy bài viết nào.", "No articles found."},
	"at_position":          {"vị trí", "position"},
	"query_error":          {"Câu truy vấn có lỗi", "The query has an error"},
	"search_unavailable":   {"Chức năng tìm kiếm chưa sẵn sàng trên máy chủ này.", "Search is not available on this server."},
	"from":                 {"Từ ngày", "From"},
	"until":                {"Đến ngày", "Until"},
	"sort":                 {"Sắp xếp", "Sort"},
	"sort_relevance":       {"Liên quan nhất", "Most relevant"},
	"sort_newest":          {"Mới nhất", "Newest"},
	"sort_oldest":          {"Cũ nhất", "Oldest"},
	"apply":                {"Áp dụng", "Apply"},
	"clear_filters":        {"Bỏ lọc", "Clear filters"},
	"export_csv":           {"Xuất CSV", "Export CSV"},
	"export_json":          {"Xuất JSON", "Export JSON"},
	"save_search":          {"Lưu tìm kiếm", "Save search"},
	"saved_name":           {"Tên", "Name"},
	"saved_none":           {"Chưa có tìm kiếm nào được lưu.", "No saved searches yet."},
	"saved_how":            {"Để lưu một tìm kiếm: tìm trên trang Tìm kiếm, đặt tên ở ô phía trên kết quả rồi bấm “Lưu tìm kiếm”. Tìm kiếm đã lưu có thể gửi cảnh báo qua email khi có bài mới khớp.", "To save a search: search on the Search page, give it a name in the box above the results and press “Save search”. A saved search can send alert emails when new articles match."},
	"saved_unavailable":    {"Lưu tìm kiếm chưa được cấu hình trên máy chủ này.", "Saved searches are not configured on this server."},
	"saved_alert":          {"Tuyến cảnh báo", "Alert route"},
	"saved_alert_on":       {"đang bật", "on"},
	"saved_alert_receiver": {"Người nhận", "Receiver"},
	"saved_alert_none":     {"— không gửi cảnh báo —", "— no alerts —"},
	"saved_alert_min_risk": {"Rủi ro tối thiểu", "Minimum risk"},
	"saved_alert_enabled":  {"Bật", "Enabled"},
	"saved_alert_save":     {"Lưu tuyến cảnh báo", "Save alert route"},
	"delete":               {"Xóa", "Delete"},
	"run":                  {"Chạy", "Run"},
	"prev":                 {"‹ Trang trước", "‹ Previous"},
	"next":                 {"Trang sau ›", "Next ›"},
	"page":                 {"Trang", "Page"},
	"facet_topic":          {"Chủ đề", "Topics"},
	"facet_topics":         {"Chủ đề", "Topics"},
	"facet_lang":           {"Ngôn ngữ", "Language"},
	"facet_country":        {"Quốc gia", "Country"},
	"facet_outlet":         {"Cơ quan báo chí", "Outlet"},
	"facet_tone":           {"Sắc thái", "Tone"},
	"facet_needs_review":   {"Cần xem xét", "Needs review"},
	"tone_positive":        {"Tích cực", "Positive"},
	"tone_neutral":         {"Trung lập", "Neutral"},
	"tone_negative":        {"Tiêu cực", "Negative"},
	"published":            {"Ngày đăng", "Published"},
	"collected":            {"Thu thập", "Collected"},
	"outlet":               {"Cơ quan báo chí", "Outlet"},
	"country":              {"Quốc gia", "Country"},
	"language":             {"Ngôn ngữ", "Language"},
	"author":               {"Tác giả", "Author"},
	"original":             {"Xem bài gốc", "Original article"},
	"risk":                 {"Rủi ro", "Risk"},
	"relevance":            {"Mức liên quan", "Relevance"},
	"about":                {"Nói về Đồng Nai", "About Đồng Nai"},
	"mentions":             {"Có nhắc đến Đồng Nai", "Mentions Đồng Nai"},
	"not_relevant":         {"Không liên quan", "Not relevant"},
	"needs_review":         {"Cần xem xét", "Needs review"},
	"unclassified":         {"Chưa phân loại", "Not classified yet"},
	"classification":       {"Phân loại", "Classification"},
	"reasons":              {"Lý do", "Reasons"},
	"signal":               {"Tín hiệu", "Signal"},
	"detail":               {"Chi tiết", "Detail"},
	"weight":               {"Trọng số", "Weight"},
	"entities":             {"Thực thể", "Entities"},
	"topics":               {"Chủ đề", "Topics"},
	"summary":              {"Tóm tắt", "Summary"},
	"text":                 {"Nội dung", "Text"},
	"same_story":           {"Cùng câu chuyện", "Same story"},
	"story":                {"Câu chuyện", "Story"},
	"story_view":           {"Xem cả câu chuyện", "View the whole story"},
	"story_outlets":        {"Các cơ quan báo chí đã đưa tin", "Outlets that carried it"},
	"story_countries":      {"Theo quốc gia", "By country"},
	"story_timeline":       {"Diễn biến", "Timeline"},
	"story_first":          {"Đăng đầu tiên", "First published"},
	"story_last":           {"Gần nhất", "Latest"},
	"articles":             {"bài viết", "articles"},
	"article":              {"bài viết", "article"},
	"sources_title":        {"Tình trạng nguồn tin", "Source health"},
	"source":               {"Nguồn", "Source"},
	"kind":                 {"Loại", "Kind"},
	"status":               {"Trạng thái", "Status"},
	"last_success":         {"Thành công gần nhất", "Last success"},
	"last_new_item":        {"Bài mới gần nhất", "Last new item"},
	"errors":               {"Lỗi liên tiếp", "Consecutive errors"},
	"last_error":           {"Lỗi gần nhất", "Last error"},
	"items_per_day":        {"Bài/ngày", "Items/day"},
	"status_ok":            {"Hoạt động", "Healthy"},
	"status_error":         {"Lỗi", "Failing"},
	"status_silent":        {"Im lặng bất thường", "Unusually silent"},
	"status_disabled":      {"Tắt", "Disabled"},
	"status_never":         {"Chưa chạy", "Not run yet"},
	"no":                   {"Không", "No"},
	"no_related":           {"Chưa có bài nào khác của câu chuyện này.", "No other articles of this story yet."},
	"never":                {"chưa bao giờ", "never"},
	"no_sources":           {"Chưa có nguồn tin nào.", "No sources yet."},
	"dash_title":           {"Tổng quan 30 ngày qua", "The last 30 days"},
	"dash_volume":          {"Số bài theo ngày", "Articles per day"},
	"dash_by_country":      {"Theo quốc gia", "By country"},
	"dash_by_lang":         {"Theo ngôn ngữ", "By language"},
	"dash_tone":            {"Sắc thái", "Tone"},
	"dash_total":           {"Tổng số bài", "Articles"},
	"dash_review":          {"Cần xem xét", "Need review"},
	"dash_empty":           {"Chưa có dữ liệu.", "No data yet."},
	"alerts_title":         {"Hộp thư cảnh báo", "Alert inbox"},
	"alerts_placeholder":   {"Hộp thư cảnh báo sẽ có khi tính năng cảnh báo (issue về cảnh báo) được hoàn thành. Hiện tại chưa có cảnh báo nào được gửi từ trang này.", "The alert inbox arrives with the alerts issue. No alerts are shown or triaged here yet."},
	"alerts_meanwhile":     {"Trong lúc chờ, hãy dùng bộ lọc “Cần xem xét” trong trang Tìm kiếm.", "Meanwhile, use the “Needs review” filter on the Search page."},
	"users_title":          {"Tài khoản và nhật ký", "Accounts and audit log"},
	"name":                 {"Tên", "Name"},
	"display_name":         {"Họ tên", "Display name"},
	"email":                {"Email", "Email"},
	"role":                 {"Vai trò", "Role"},
	"disabled":             {"Đã khóa", "Disabled"},
	"active":               {"Đang hoạt động", "Active"},
	"created":              {"Ngày tạo", "Created"},
	"audit":                {"Nhật ký", "Audit log"},
	"actor":                {"Người thực hiện", "Actor"},
	"action":               {"Hành động", "Action"},
	"object":               {"Đối tượng", "Object"},
	"time":                 {"Thời gian", "Time"},
	"users_cli":            {"Thêm, đổi mật khẩu hoặc khóa tài khoản bằng lệnh: presswatch user add|passwd|disable|token", "Add, reset or disable accounts with: presswatch user add|passwd|disable|token"},
	"role_admin":           {"Quản trị", "Administrator"},
	"role_analyst":         {"Chuyên viên phân tích", "Analyst"},
	"role_foreign_affairs": {"Sở Ngoại vụ", "Foreign Affairs"},
	"role_police":          {"Công an tỉnh", "Provincial police"},
	"role_viewer":          {"Lãnh đạo (chỉ xem)", "Viewer"},
	"err_400":              {"Yêu cầu không hợp lệ.", "Bad request."},
	"err_401":              {"Bạn cần đăng nhập.", "You need to log in."},
	"err_403":              {"Bạn không có quyền truy cập trang này.", "You may not open this page."},
	"skip_to_content":      {"Bỏ qua, đến nội dung chính", "Skip to the main content"},
	"err_404":              {"Không tìm thấy trang.", "Page not found."},
	"err_405":              {"Trang này không nhận thao tác này.", "This page does not take this kind of request."},
	"err_500":              {"Có lỗi xảy ra. Vui lòng thử lại sau.", "Something went wrong. Please try again later."},
	"err_503":              {"Dịch vụ tạm thời chưa sẵn sàng.", "The service is not available right now."},
	"back_home":            {"Về trang chủ", "Back to the start page"},
	"times_in":             {"Giờ Việt Nam (UTC+7)", "Vietnam time (UTC+7)"},
	"switch_lang":          {"English", "Tiếng Việt"},
}

// messages translates keys for one language. Templates call {{.L.T "key"}}.
type messages struct{ lang string }

// T returns the text of key in the page's language.
func (m messages) T(key string) string {
	e, ok := catalog[key]
	if !ok {
		if e, ok = pageCatalog[key]; !ok {
			return l10n.T(m.lang, key)
		}
	}
	if m.lang == langEN && e[1] != "" {
		return e[1]
	}
	return e[0]
}

// Lang returns the page's language code.
func (m messages) Lang() string { return m.lang }

// Other returns the code of the language the switch offers.
func (m messages) Other() string {
	if m.lang == langEN {
		return langVI
	}
	return langEN
}

// requestLang picks the UI language: ?lang=, then the cookie, then Vietnamese.
func requestLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == langEN || l == langVI {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langEN || c.Value == langVI) {
		return c.Value
	}
	return langVI
}
