package web

import (
	"fmt"
	"strings"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/l10n"
)

// pageCatalog holds the page labels added with the officers' pages (reasons
// table, alert pages, province search, mailbox); same shape as catalog.
var pageCatalog = map[string][2]string{
	"why_title":               {"Vì sao bài này được chú ý", "Why this article was flagged"},
	"why_reason":              {"Lý do", "Reason"},
	"why_points":              {"Điểm rủi ro", "Risk points"},
	"why_none":                {"Không có tín hiệu rủi ro nào.", "No risk signal."},
	"why_sum":                 {"Tổng điểm rủi ro là tổng các dòng trên, giới hạn trong khoảng 0–100; bài chỉ nhắc đến tỉnh được tính một nửa.", "The risk is the sum of the rows above, kept within 0–100; an article that only mentions the province counts half."},
	"risk_of":                 {"%s/100", "%s/100"},
	"sort_risk":               {"Rủi ro cao nhất", "Highest risk"},
	"rel_filter":              {"Phạm vi", "Scope"},
	"rel_definition":          {"“Nói về Đồng Nai”: bộ phân loại xác định Đồng Nai (hoặc một địa danh, công trình của tỉnh) là chủ đề của bài, không chỉ được nhắc qua.", "“About Đồng Nai”: the classifier found Đồng Nai (or a place or landmark in it) to be the subject of the article, not a passing mention."},
	"expanded_as":             {"Đã mở rộng tên tỉnh và địa danh sang mọi cách viết đã biết:", "Place names were expanded to every known spelling and script:"},
	"expanded_literal":        {"Chỉ tìm đúng các từ đã gõ", "Search only the words as typed"},
	"expanded_script_lang":    {"Chỉ bài bằng %s", "Only articles in %s"},
	"literal_on":              {"Đang tìm đúng các từ đã gõ, không mở rộng địa danh.", "Searching the words as typed, without expanding place names."},
	"literal_expand":          {"Mở rộng địa danh", "Expand place names"},
	"dash_scope":              {"Chỉ tính các bài nói về Đồng Nai (theo bộ phân loại), theo ngày đăng, 30 ngày gần nhất.", "Counts only articles about Đồng Nai (as classified), by publication date, over the last 30 days."},
	"dash_all_articles":       {"Tất cả bài đã thu thập có ngày đăng trong 30 ngày này (kể cả không liên quan)", "All collected articles published in these 30 days (relevant or not)"},
	"inbox_title":             {"Cảnh báo", "Alerts"},
	"inbox_scoped":            {"Chỉ cảnh báo gửi đơn vị của bạn", "Only alerts routed to your office"},
	"inbox_also":              {"Cùng bài, cũng khớp:", "Same article, also matched:"},
	"alert_siblings":          {"Cùng bài, cùng đơn vị nhận", "Same article, same office"},
	"alert_siblings_hint":     {"Bài này khớp cả các tuyến dưới đây; đơn vị nhận một thư cho cả bài. Đổi trạng thái ở đây sẽ đổi cả các cảnh báo đang cùng trạng thái.", "This article also matched the routes below; the office got one message for it. Changing the state here also changes those in the same state."},
	"inbox_rules":             {"Quy tắc", "Rules"},
	"inbox_silences":          {"Tạm tắt", "Silences"},
	"inbox_open":              {"Đang mở", "Open"},
	"inbox_all":               {"Tất cả", "All"},
	"inbox_digest":            {"Cả mục chỉ đưa vào bản tin", "Include digest-only"},
	"inbox_filter":            {"Lọc", "Filter"},
	"inbox_none":              {"Không có cảnh báo.", "No alerts."},
	"inbox_count":             {"%s cảnh báo trong %s dòng (các quy tắc cùng khớp một bài cho cùng nơi nhận gộp một dòng).", "%s alerts in %s rows (rules matching one article for the same recipients share a row)."},
	"inbox_count_story":       {"Các bài của một câu chuyện gửi cùng nơi nhận gộp một dòng, bài mới nhất đứng đầu.", "A story's articles for the same recipients share a row, led by the newest."},
	"inbox_flat":              {"Mỗi bài một dòng", "One row per article"},
	"inbox_story_more":        {"+%s bài khác của câu chuyện này", "+%s more articles of this story"},
	"inbox_story_max":         {"rủi ro cao nhất %s", "highest risk %s"},
	"inbox_story_new":         {"%s bài chưa xử lý", "%s not yet handled"},
	"inbox_story_title":       {"Các cảnh báo của một câu chuyện", "Alerts of one story"},
	"inbox_story_ack":         {"Báo đã nhận cả câu chuyện", "Acknowledge the whole story"},
	"inbox_story_acked":       {"Đã báo nhận %s cảnh báo mới của câu chuyện này.", "Acknowledged %s new alerts of this story."},
	"inbox_story_back":        {"Về tất cả cảnh báo", "Back to all alerts"},
	"inbox_cut":               {"Chỉ hiện %s cảnh báo mới nhất: chọn một trạng thái để xem các cảnh báo cũ hơn.", "Only the newest %s alerts are shown: choose a state to see older ones."},
	"inbox_mailbox":           {"Hộp thư demo", "Demo mailbox"},
	"col_time":                {"Thời gian", "Time"},
	"col_rule":                {"Quy tắc", "Rule"},
	"col_state":               {"Trạng thái", "State"},
	"col_assignee":            {"Phụ trách", "Assignee"},
	"col_title":               {"Tiêu đề", "Title"},
	"col_receiver":            {"Đơn vị nhận", "Receiver"},
	"col_channel":             {"Kênh", "Channel"},
	"col_recipient":           {"Người nhận", "Recipient"},
	"col_attempts":            {"Số lần", "Attempts"},
	"col_sent":                {"Gửi lúc", "Sent"},
	"col_error":               {"Lỗi", "Error"},
	"col_total":               {"Tổng", "Total"},
	"col_precision":           {"Độ chính xác", "Precision"},
	"col_owner":               {"Chủ sở hữu", "Owner"},
	"col_query":               {"Truy vấn", "Query"},
	"col_min_risk":            {"Rủi ro tối thiểu", "Minimum risk"},
	"col_alerts":              {"Cảnh báo", "Alerts"},
	"col_reason":              {"Lý do", "Reason"},
	"col_author":              {"Người đặt", "Author"},
	"col_expires":             {"Hết hạn", "Expires"},
	"col_received":            {"Nhận lúc", "Received"},
	"col_to":                  {"Gửi tới", "To"},
	"col_subject":             {"Tiêu đề thư", "Subject"},
	"alert_back":              {"← Cảnh báo", "← Alerts"},
	"alert_critical":          {"KHẨN", "CRITICAL"},
	"alert_open_article":      {"Xem bài", "Open the article"},
	"article_alerts":          {"Cảnh báo về bài này", "Alerts about this article"},
	"alert_published":         {"Đăng", "Published"},
	"alert_published_unknown": {"không rõ ngày", "date unknown"},
	"alert_raised":            {"Cảnh báo lúc", "Alerted"},
	"alert_old":               {"Bài cũ (%s ngày)", "Old coverage (%s days)"},
	"alert_old_note":          {"Bài đăng %s ngày trước khi được thu thập; không phải tin mới.", "Published %s days before it was collected; not news."},
	"alert_story":             {"Cả câu chuyện", "The whole story"},
	"alert_why":               {"Vì sao có cảnh báo", "Why it fired"},
	"alert_triage":            {"Xử lý", "Triage"},
	"alert_acked_by":          {"Đã nhận bởi %s lúc %s", "Acknowledged by %s at %s"},
	"alert_keep_state":        {"giữ nguyên", "keep"},
	"alert_note":              {"Ghi chú", "Notes"},
	"alert_response_link":     {"Liên kết phản hồi", "Response link"},
	"alert_save":              {"Lưu", "Save"},
	"alert_deliveries":        {"Gửi đi", "Deliveries"},
	"alert_history":           {"Lịch sử xử lý", "Handling history"},
	"alert_state_by":          {"%s bởi %s lúc %s", "%s by %s at %s"},
	"changed_corrected":       {"Bài đã được đính chính", "The article has been corrected"},
	"changed_retracted":       {"Bài đã bị gỡ hoặc rút lại", "The article has been retracted"},
	"changed_deleted":         {"Trang bài đã bị xóa", "The article's page has been deleted"},
	"changed_seen":            {"phát hiện khi lưu trang lúc %s.", "found when the page was captured at %s."},
	"changed_title":           {"Tiêu đề hiện nay:", "Its headline now:"},
	"changed_evidence":        {"Xem các lần lưu", "See the captures"},
	"alert_left_out":          {"Thư này không kèm cảnh báo này: cảnh báo đã được xử lý lúc %s, trước giờ gửi.", "This message did not carry this alert: it was handled at %s, before the message went."},
	"alert_will_leave_out":    {"Cảnh báo đã được xử lý nên sẽ không có trong thư này.", "The alert has been handled, so this message will not carry it."},
	"resp_edit":               {"Sửa phản hồi", "Edit this response"},
	"resp_recorded_by":        {"Ghi nhận bởi %s lúc %s", "Recorded by %s at %s"},
	"resp_other_article":      {"phản hồi cho một bài khác của câu chuyện", "a response to another article of the story"},
	"resp_edit_help":          {"Sửa nội dung, ngày, hình thức, người duyệt hoặc luận điệu được phản bác. Người ghi nhận và kết quả theo dõi giữ nguyên; nhật ký ghi lại thay đổi.", "Correct the text, date, channel, approver or the claims answered. Who recorded it and its outcome stay; the audit log records the change."},
	"resp_edit_save":          {"Lưu thay đổi", "Save changes"},
	"alert_history_created":   {"Hệ thống tạo cảnh báo theo quy tắc “%s”", "The system raised the alert under the rule “%s”"},
	"alert_history_more":      {"Chỉ hiện %s thay đổi gần nhất.", "Only the latest %s changes are shown."},
	"hist_state":              {"Trạng thái: %s → %s", "State: %s → %s"},
	"hist_assignee":           {"Giao cho: %s", "Assigned to: %s"},
	"hist_unassigned":         {"Bỏ người được giao", "Unassigned"},
	"hist_note":               {"Sửa ghi chú", "Notes edited"},
	"hist_link":               {"Liên kết phản hồi: %s", "Response link: %s"},
	"hist_link_removed":       {"Xóa liên kết phản hồi", "Response link removed"},
	"alert_not_sent":          {"Không gửi (tạm tắt, bị gộp hoặc chỉ đưa vào bản tin).", "Not sent (silenced, inhibited or digest only)."},
	"alert_bad_state":         {"Không thể chuyển trạng thái từ “%s” sang “%s”.", "The state cannot go from “%s” to “%s”."},
	"alert_too_long":          {"%s dài quá %s ký tự.", "%s is longer than %s characters."},
	"alert_unknown_state":     {"Trạng thái không hợp lệ.", "That state does not exist."},
	"alert_bad_link":          {"Liên kết phản hồi phải là địa chỉ http(s) có tên miền, hoặc mailto.", "The response link must be an http(s) address with a host, or mailto."},
	"alert_bad_change":        {"Thay đổi không hợp lệ.", "That change is not allowed."},
	"alert_held_until":        {"Giữ lại trong giờ yên lặng, sẽ gửi lúc %s", "Held for quiet hours; will be sent at %s"},
	"alert_retry_at":          {"Sẽ thử lại lúc %s", "Will retry at %s"},
	"alert_due_at":            {"Sẽ gửi lúc %s", "Will be sent at %s"},
	"rules_title":             {"Độ chính xác theo quy tắc", "Precision per rule"},
	"rules_definition":        {"Độ chính xác = (đã xác nhận + đã phản hồi) / (những cảnh báo đó + báo nhầm).", "Precision = (confirmed + responded) / (those + false positives)."},
	"rules_saved_title":       {"Tuyến cảnh báo từ tìm kiếm đã lưu", "Alert routes from saved searches"},
	"rules_saved_help":        {"Mỗi tuyến gửi ngay cho đơn vị nhận mọi bài khớp truy vấn có rủi ro từ mức tối thiểu trở lên; chủ sở hữu sửa hoặc tắt tuyến ở trang Tìm kiếm đã lưu.", "Each route notifies its receiver at once of every article that matches the query with at least the minimum risk; its owner changes or turns it off on the Saved searches page."},
	"rules_saved_none":        {"Chưa có tuyến nào.", "No saved-search routes yet."},
	"rules_trend_title":       {"Độ chính xác theo tháng", "Precision over time"},
	"rules_trend_help":        {"Theo từng quy tắc và từng mô hình", "Per rule and per model"},
	"rules_trend_none":        {"Chưa có cảnh báo đã xử lý.", "No triaged alerts yet."},
	"rules_trend_month":       {"Tháng", "Month"},
	"rules_trend_subject":     {"Quy tắc hoặc mô hình", "Rule or model"},
	"rules_trend_good":        {"Đúng (xác nhận + phản hồi)", "Confirmed + responded"},
	"rules_trend_false":       {"Báo nhầm", "False positive"},
	"rules_trend_rule":        {"quy tắc", "rule"},
	"rules_trend_model":       {"mô hình", "model"},
	"silences_title":          {"Tạm tắt cảnh báo", "Silences"},
	"silence_duration":        {"Thời hạn", "Duration"},
	"silence_button":          {"Tạm tắt", "Silence"},
	"silence_expire":          {"Kết thúc", "Expire"},
	"alert_saved":             {"Đã lưu thay đổi.", "The change was saved."},
	"alert_silence_story":     {"Tạm tắt cảnh báo của câu chuyện này", "Silence this story's alerts"},
	"alert_silence_ask":       {"Muốn tạm tắt câu chuyện này, hãy đề nghị cán bộ phân tích hoặc quản trị viên.", "To silence this story, ask an analyst or an administrator."},
	"silence_need_query":      {"Cần một truy vấn: các cảnh báo khớp với nó sẽ được tạm tắt.", "A query is required: the alerts it matches are silenced."},
	"silence_need_reason":     {"Cần ghi lý do tạm tắt: người khác sẽ đọc nó trong danh sách.", "A reason is required: others read it in the list."},
	"silence_bad_duration":    {"Thời hạn không hợp lệ: viết như 90m, 24h hoặc 7d.", "The duration is not valid: write it as 90m, 24h or 7d."},
	"silence_too_long":        {"Thời hạn tối đa là 90 ngày; lâu hơn thì sửa quy tắc trong alerts.yaml.", "A silence lasts at most 90 days; for longer, change the rule in alerts.yaml."},
	"silences_none":           {"Không có lệnh tạm tắt nào đang hiệu lực.", "No silence is active."},
	"ack_title":               {"Báo đã nhận cảnh báo", "Acknowledge alerts"},
	"ack_done":                {"Đã ghi nhận: %s cảnh báo chuyển sang “Đã nhận”.", "%s alert(s) acknowledged."},
	"ack_button":              {"Đánh dấu đã nhận", "Acknowledge"},
	"ack_bad":                 {"Liên kết này đã hết hạn hoặc không hợp lệ. Hãy đăng nhập và đánh dấu đã nhận trong hộp cảnh báo.", "This link has expired or is not valid. Log in and acknowledge the alert in the inbox."},
	"ack_inbox":               {"Mở hộp cảnh báo", "Open the alert inbox"},
	"ack_already":             {"Các cảnh báo này đã được đánh dấu đã nhận hoặc đã xử lý.", "These alerts are already acknowledged or handled."},
	"mailbox_title":           {"Hộp thư demo", "Demo mailbox"},
	"mailbox_help":            {"Mọi thư cảnh báo của bản demo được gửi tới máy chủ SMTP giả lập này và lưu thành tệp .eml trong thư mục dữ liệu.", "Every alert email of the demo goes to this local SMTP sink and is saved as an .eml file under the data directory."},
	"mailbox_none":            {"Chưa có thư nào.", "No messages yet."},
	"mailbox_raw":             {"Tệp .eml gốc", "Raw .eml file"},
	"mailbox_text_part":       {"Phần văn bản thuần của thư", "The message's plain-text part"},
	"mailbox_from":            {"Người gửi", "From"},
	"mailbox_undecodable":     {"Không đọc được nội dung thư này; hãy mở tệp .eml gốc.", "This message could not be decoded; open the raw .eml file."},
	"srcerr_dns":              {"Không tìm thấy tên máy chủ (DNS)", "Host name not found (DNS)"},
	"srcerr_network":          {"Không kết nối được (mạng)", "Cannot connect (network)"},
	"srcerr_timeout":          {"Hết thời gian chờ", "Timed out"},
	"srcerr_tls":              {"Lỗi chứng chỉ bảo mật (TLS)", "Certificate (TLS) error"},
	"srcerr_rate":             {"Bị giới hạn tần suất (429)", "Rate limited (429)"},
	"srcerr_server":           {"Máy chủ nguồn báo lỗi", "The source's server failed"},
	"srcerr_client":           {"Trang nguồn từ chối hoặc không còn", "The source refused or is gone"},
	"srcerr_pages":            {"Có trang bài viết không đọc được", "Some article pages could not be read"},
	"srcerr_portion":          {"Nhiều tin mới một lúc: đang lấy dần qua các lần đọc sau", "Too many new entries at once: taken over the next polls"},
	"srcerr_size":             {"Nội dung vượt giới hạn kích thước", "Larger than the size limit"},
	"srcerr_format":           {"Nguồn tin sai định dạng", "The feed is malformed"},
	"srcerr_other":            {"Lỗi khác", "Other error"},
	"sources_offline":         {"Không kết nối được tới nguồn tin nào. presswatch vẫn chạy với dữ liệu đã có và sẽ tự thử lại; hãy kiểm tra kết nối Internet, proxy hoặc tường lửa của máy chủ.", "No source could be reached. presswatch keeps running on the data it has and retries by itself; check the server's Internet connection, proxy or firewall."},
	"title_full":              {"Tiêu đề đầy đủ", "Full title"},

	// Narratives created from a response (evidence page).
	"resp_narratives":       {"Luận điểm được phản hồi", "Claims answered"},
	"narr_created":          {"Luận điểm đã tạo", "Narrative created"},
	"narr_create":           {"Tạo luận điểm từ phản hồi này", "Create a narrative from this response"},
	"narr_help":             {"Các bài đăng sau này lặp lại luận điểm sẽ được tự động gắn cờ, nêu tên luận điểm và phản hồi này; kết quả của phản hồi chuyển thành “lặp lại ở nơi khác”.", "Later articles repeating the claim are flagged automatically, naming this narrative and response; the response's outcome becomes “repeated elsewhere”."},
	"narr_claim":            {"Luận điểm sai (nêu ngắn gọn)", "The false claim (in short)"},
	"narr_phrases":          {"Cụm từ", "Phrases"},
	"narr_phrases_label":    {"Từ khóa, cụm từ của luận điểm — mỗi dòng một cụm, bằng nhiều thứ tiếng (Việt, Anh, Trung, Hàn, Nhật…); bài chứa một cụm là khớp", "Keywords or phrases of the claim — one per line, in several languages (Vietnamese, English, Chinese, Korean, Japanese…); an article holding one matches"},
	"narr_context":          {"gần", "near"},
	"narr_context_label":    {"Tên địa danh, công trình phải xuất hiện gần cụm từ — mỗi dòng một tên (để trống nếu không cần)", "Place or project names that must appear near a phrase — one per line (leave empty if not needed)"},
	"narr_correction":       {"Thông tin chính thức", "Official position"},
	"narr_correction_label": {"Sự thật bác bỏ luận điểm (thông tin chính thức)", "The fact that refutes it (official position)"},
	"narr_weight":           {"Điểm rủi ro cộng thêm (1–100)", "Risk points added (1–100)"},
	"narr_submit":           {"Tạo luận điểm", "Create narrative"},
	"narr_retire":           {"Ngừng áp dụng luận điểm này", "Retire this narrative"},
	"narr_retire_help":      {"Luận điểm ngừng gắn cờ các bài đăng mới; các cảnh báo đã phát vẫn giữ nguyên. Muốn sửa: ngừng áp dụng rồi tạo lại với nội dung mới.", "The narrative stops flagging new articles; alerts already raised stay as they are. To edit it, retire it and create it again with the new wording."},
	"narr_retire_note":      {"Lý do (ví dụ: cụm từ quá rộng, gắn cờ nhầm)", "Why (e.g. a phrase too broad, flagging wrongly)"},
	"narr_retire_submit":    {"Ngừng áp dụng", "Retire"},
	"narr_retired":          {"Đã ngừng áp dụng", "Retired"},
	"narr_retired_by":       {"Ngừng áp dụng bởi", "Retired by"},
}

// auditActions names every action of the audit log (the Action of a
// store.AuditEntry); TestAuditActionsLabelled fails on an action written in
// the code without a name here.
var auditActions = map[string][2]string{
	"login":               {"Đăng nhập", "Signed in"},
	"login.failed":        {"Đăng nhập thất bại", "Failed sign-in"},
	"logout":              {"Đăng xuất", "Signed out"},
	"user.bootstrap":      {"Tạo tài khoản quản trị đầu tiên", "First admin account created"},
	"user.add":            {"Thêm tài khoản", "Account added"},
	"user.passwd":         {"Đổi mật khẩu", "Password changed"},
	"user.role":           {"Đổi vai trò", "Role changed"},
	"user.enable":         {"Mở lại tài khoản", "Account enabled"},
	"user.disable":        {"Khóa tài khoản", "Account disabled"},
	"token.create":        {"Tạo khóa API", "API token created"},
	"token.revoke":        {"Thu hồi khóa API", "API token revoked"},
	"saved_search.create": {"Lưu tìm kiếm", "Search saved"},
	"saved_search.delete": {"Xóa tìm kiếm đã lưu", "Saved search deleted"},
	"saved_search.alert":  {"Đổi cảnh báo của tìm kiếm đã lưu", "Saved-search alert changed"},
	"search.export":       {"Xuất kết quả tìm kiếm", "Search results exported"},
	"silence.add":         {"Tạm tắt cảnh báo", "Silence added"},
	"silence.expire":      {"Kết thúc tạm tắt", "Silence expired"},
	"alert.update":        {"Xử lý cảnh báo", "Alert updated"},
	"evidence.request":    {"Yêu cầu lưu bằng chứng", "Evidence requested"},
	"evidence.tampered":   {"Bằng chứng bị thay đổi", "Evidence tampered with"},
	"response.create":     {"Ghi nhận phản hồi", "Response recorded"},
	"response.edit":       {"Sửa phản hồi", "Response edited"},
	"narrative.create":    {"Tạo luận điểm", "Narrative created"},
	"narrative.retire":    {"Ngừng áp dụng luận điểm", "Narrative retired"},
	"source.add":          {"Thêm nguồn tin", "Source added"},
	"source.edit":         {"Sửa nguồn tin", "Source edited"},
	"source.poll":         {"Thu thập nguồn tin ngay", "Source polled"},
	"source.enable":       {"Bật nguồn tin", "Source enabled"},
	"source.disable":      {"Tắt nguồn tin", "Source disabled"},
	"source.delete":       {"Xóa nguồn tin", "Source deleted"},
	"source.restore":      {"Khôi phục nguồn tin", "Source restored"},
}

// AuditAction names an audit-log action; an unknown one is shown as written.
func (m messages) AuditAction(a string) string {
	e, ok := auditActions[a]
	if !ok {
		return a
	}
	if m.lang == langEN {
		return e[1]
	}
	return e[0]
}

// Noun is the label key one (n is 1) or many (any other n) in the page's
// language: "1 result", "3 results" (Vietnamese has one form for both).
func (m messages) Noun(n any, one, many string) string {
	var isOne bool
	switch v := n.(type) {
	case int:
		isOne = v == 1
	case int64:
		isOne = v == 1
	case uint64:
		isOne = v == 1
	}
	if isOne {
		return m.T(one)
	}
	return m.T(many)
}

// Place shows a gazetteer name (an entity's canonical name) in the page's
// language: "Trấn Biên ward" is "phường Trấn Biên" in Vietnamese.
func (m messages) Place(s string) string { return l10n.Place(m.lang, s) }

// Num formats a count for the page's language (4.200.000 in Vietnamese).
func (m messages) Num(n any) string {
	switch v := n.(type) {
	case int:
		return l10n.Num(m.lang, int64(v))
	case int64:
		return l10n.Num(m.lang, v)
	case uint64:
		return l10n.Num(m.lang, int64(v))
	case float64:
		return l10n.Float(m.lang, v, 2)
	}
	return fmt.Sprint(n)
}

// F formats a catalogue message with arguments.
func (m messages) F(key string, args ...any) string { return fmt.Sprintf(m.T(key), args...) }

// Topic names a classifier topic.
func (m messages) Topic(s string) string { return l10n.Topic(m.lang, s) }

// Narrative names a narrative a response answers by its catalogue name
// ("việc sáp nhập Bình Phước vào Đồng Nai chưa diễn ra"), or gives the code
// the officer typed when the catalogue has none.
func (m messages) Narrative(id string) string {
	if n, ok := l10n.Lookup(m.lang, "narrative_"+id); ok {
		return n
	}
	return id
}

// State names an alert or delivery state.
func (m messages) State(s string) string { return l10n.State(m.lang, s) }

// Receiver names an alert receiver.
func (m messages) Receiver(s string) string { return l10n.Receiver(m.lang, s) }

// Receivers names a list of receivers.
func (m messages) Receivers(rs []string) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = m.Receiver(r)
	}
	return strings.Join(out, ", ")
}

// Country names a country by its ISO code.
func (m messages) Country(s string) string { return l10n.Country(m.lang, s) }

// LangName names a language by its ISO code.
func (m messages) LangName(s string) string { return l10n.Language(m.lang, s) }

// Tone names a tone.
func (m messages) Tone(s string) string { return l10n.Tone(m.lang, s) }

// Signal names a reason signal.
func (m messages) Signal(s string) string { return l10n.Signal(m.lang, s) }

// Reason writes a classification reason as a sentence.
func (m messages) Reason(r article.Reason) string { return l10n.Sentence(m.lang, r) }

// Route names an alert route of alerts.yaml; saved-search routes are named
// by routeName, which knows the saved searches.
func (m messages) Route(s string) string { return l10n.Route(m.lang, s) }

// Kind names an entity kind.
func (m messages) Kind(s string) string { return l10n.T(m.lang, "entkind_"+kindClass(s)) }

// Weight shows a reason's weight as risk points: +25, −10, or — for none.
func (m messages) Weight(w float64) string {
	switch {
	case w > 0:
		return "+" + l10n.Float(m.lang, w, 1)
	case w < 0:
		return "−" + l10n.Float(m.lang, -w, 1)
	}
	return "—"
}

// Channel names a delivery channel (email, webhook).
func (m messages) Channel(s string) string {
	if t, ok := l10n.Lookup(m.lang, "channel_"+s); ok {
		return t
	}
	return s
}
