package web

import (
	"fmt"
	"time"
)

// sourcesCatalog holds the messages of the sources admin pages (issue 14),
// Vietnamese first. Merged into catalog at start (see init below) so that
// TestCatalogComplete checks them like every other key.
var sourcesCatalog = map[string][2]string{ // [vi, en]
	"src_add":                  {"Thêm nguồn tin", "Add a source"},
	"src_add_title":            {"Thêm nguồn tin", "Add a source"},
	"src_edit_title":           {"Sửa nguồn tin", "Edit source"},
	"src_edit":                 {"Sửa", "Edit"},
	"src_save":                 {"Lưu thay đổi", "Save changes"},
	"src_poll_now":             {"Thu thập ngay", "Poll now"},
	"src_enable":               {"Bật", "Enable"},
	"src_disable":              {"Tắt", "Disable"},
	"src_delete":               {"Xóa", "Delete"},
	"src_restore":              {"Khôi phục", "Restore"},
	"src_delete_confirm":       {"Xóa nguồn tin này? Các bài đã thu thập vẫn được giữ lại; có thể khôi phục nguồn sau.", "Delete this source? Articles already collected are kept; the source can be restored later."},
	"src_deleted_title":        {"Nguồn tin đã xóa", "Deleted sources"},
	"src_deleted_at":           {"Xóa lúc", "Deleted at"},
	"src_next_poll":            {"Lần thu thập tới", "Next poll"},
	"src_interval":             {"chu kỳ", "interval"},
	"src_etag":                 {"ETag", "ETag"},
	"src_items":                {"Mục mới trong nguồn tin", "New feed entries"},
	"src_per_day":              {"bài/ngày", "per day"},
	"src_times":                {"lần liên tiếp", "in a row"},
	"src_edited":               {"đã sửa trên giao diện", "edited in the UI"},
	"src_truth_note":           {"Nguồn tin khai báo trong tệp cấu hình được nạp khi khởi động; khi đã sửa, tắt hoặc xóa trên trang này thì thay đổi được giữ nguyên sau khi khởi động lại. Trình thu thập đang chạy áp dụng thay đổi trong vài giây, không cần khởi động lại.", "Sources in the configuration file are loaded at start; once edited, disabled or deleted here, the change survives a restart. The running crawler applies changes within seconds, without a restart."},
	"origin_config":            {"tệp cấu hình", "configuration file"},
	"origin_ui":                {"thêm trên giao diện", "added in the UI"},
	"srckind_feed":             {"Kênh tin RSS/Atom/JSON", "RSS, Atom or JSON feed"},
	"srckind_site":             {"Trang web (thu thập theo chuyên mục)", "Website (crawled by section)"},
	"srckind_search_feed":      {"Kênh tìm kiếm theo tên tỉnh", "Search feed for the province's names"},
	"srckind_feed_hint":        {"Địa chỉ một kênh RSS, Atom hoặc JSON Feed.", "The address of an RSS, Atom or JSON Feed."},
	"srckind_site_hint":        {"Trang chủ hoặc trang chuyên mục; hệ thống đọc sitemap và các bài được liên kết.", "A home or section page; sitemaps and linked articles are read."},
	"srckind_search_feed_hint": {"Mẫu địa chỉ có {query}: tên tỉnh ở mỗi ngôn ngữ được điền vào.", "A URL template with {query}: the province's names in each language are filled in."},
	"src_name":                 {"Mã nguồn tin", "Source ID"},
	"src_name_hint":            {"Chữ thường không dấu, chữ số, '-' hoặc '_'; không đổi được sau khi tạo.", "Lower-case letters, digits, '-' or '_'; cannot be changed later."},
	"src_kind":                 {"Loại nguồn", "Kind"},
	"src_url":                  {"Địa chỉ (URL)", "Address (URL)"},
	"src_url_hint":             {"Chỉ nhận http:// hoặc https:// tới máy chủ công khai trên Internet.", "Only http:// or https:// to a public server on the Internet."},
	"src_country":              {"Quốc gia", "Country"},
	"src_country_hint":         {"Mã 2 chữ cái (ISO 3166-1), vd: JP, KR, US.", "Two-letter code (ISO 3166-1), e.g. JP, KR, US."},
	"src_lang":                 {"Ngôn ngữ", "Language"},
	"src_lang_auto":            {"Tự nhận biết", "Detect automatically"},
	"src_tier":                 {"Mức tin cậy", "Reliability tier"},
	"src_tier_0":               {"Chưa xếp loại", "Not rated"},
	"src_tier_1":               {"Nhóm 1 – tin cậy cao", "Tier 1 – most reliable"},
	"src_tier_2":               {"Nhóm 2 – trung bình", "Tier 2 – average"},
	"src_tier_3":               {"Nhóm 3 – kém tin cậy", "Tier 3 – least reliable"},
	"src_enabled_label":        {"Thu thập từ nguồn này", "Collect from this source"},
	"src_origin_ui_note":       {"Nguồn này được thêm trên giao diện: mọi thông tin đều sửa được ở đây.", "This source was added in the UI: everything can be changed here."},
	"src_origin_config_note":   {"Nguồn này khai báo trong tệp cấu hình: loại và địa chỉ chỉ sửa trong tệp cấu hình; tên cơ quan, quốc gia, ngôn ngữ, mức tin cậy và trạng thái bật/tắt sửa ở đây sẽ được giữ sau khi khởi động lại.", "This source is defined in the configuration file: its kind and address are changed there; the outlet, country, language, tier and on/off state changed here survive a restart."},
	"src_added":                {"Đã thêm nguồn tin. Trình thu thập sẽ bắt đầu trong vài giây.", "Source added. The crawler starts polling it within seconds."},
	"src_saved":                {"Đã lưu thay đổi. Trình thu thập áp dụng trong vài giây.", "Changes saved. The crawler applies them within seconds."},
	"src_enabled":              {"Đã bật nguồn tin.", "Source enabled."},
	"src_disabled":             {"Đã tắt nguồn tin: không thu thập nữa.", "Source disabled: it is no longer polled."},
	"src_deleted":              {"Đã xóa nguồn tin. Bài đã thu thập vẫn được giữ.", "Source deleted. Its articles are kept."},
	"src_restored":             {"Đã khôi phục nguồn tin (đang tắt; bấm Bật để thu thập lại).", "Source restored (disabled; press Enable to poll it again)."},
	"src_poll_requested":       {"Đã yêu cầu thu thập ngay; kết quả hiện ở đây sau ít giây.", "Poll requested; the result shows here in a few seconds."},
	"src_err_name":             {"Mã nguồn tin chỉ gồm 1–64 chữ thường không dấu, chữ số, '-' hoặc '_'.", "The source ID has 1–64 lower-case letters, digits, '-' or '_'."},
	"src_err_exists":           {"Đã có nguồn tin mang mã này (kể cả nguồn đã xóa). Hãy chọn mã khác hoặc khôi phục nguồn cũ.", "A source with this ID exists (deleted ones included). Choose another ID or restore the old source."},
	"src_err_kind":             {"Hãy chọn loại nguồn: kênh tin, trang web hoặc kênh tìm kiếm.", "Choose a kind: feed, website or search feed."},
	"src_err_url":              {"Địa chỉ không hợp lệ: cần một URL đầy đủ, vd: https://asia.nikkei.com/rss.", "The address is not valid: give a full URL, e.g. https://asia.nikkei.com/rss."},
	"src_err_scheme":           {"Chỉ nhận địa chỉ bắt đầu bằng http:// hoặc https://.", "Only addresses starting with http:// or https:// are accepted."},
	"src_err_userinfo":         {"Địa chỉ không được chứa tên đăng nhập hoặc mật khẩu.", "The address must not contain a user name or password."},
	"src_err_private":          {"Địa chỉ trỏ tới mạng nội bộ hoặc chính máy chủ này. Vì an toàn, hệ thống chỉ thu thập từ máy chủ công khai (quản trị viên có thể cho phép trong crawler.allow_hosts).", "The address points to a private network or to this server. For safety only public servers are fetched (an operator can allow it in crawler.allow_hosts)."},
	"src_err_query":            {"Kênh tìm kiếm cần mẫu địa chỉ có {query} để điền tên tỉnh.", "A search feed needs a URL template with {query} for the province's names."},
	"src_err_dup_url":          {"Đã có nguồn tin khác dùng địa chỉ này.", "Another source already uses this address."},
	"src_err_country":          {"Quốc gia phải là mã 2 chữ cái, vd: JP.", "The country must be a two-letter code, e.g. JP."},
	"src_err_lang":             {"Ngôn ngữ phải là mã 2 chữ cái, vd: ja.", "The language must be a two-letter code, e.g. ja."},
	"src_err_tier":             {"Mức tin cậy phải từ 0 đến 3.", "The tier must be 0 to 3."},
	"src_err_poll_off":         {"Nguồn tin đang tắt: hãy bật trước khi thu thập.", "The source is disabled: enable it first."},
	"status_deleted":           {"Đã xóa", "Deleted"},
	"cancel":                   {"Hủy", "Cancel"},
	"src_dur_s":                {"%d giây", "%d s"},
	"src_dur_m":                {"%d phút", "%d min"},
	"src_dur_h":                {"%d giờ", "%d h"},
	"src_dur_hm":               {"%d giờ %d phút", "%d h %d min"},

	// Search by the reports' definitions.
	"date_basis":              {"Tính theo", "Dates by"},
	"basis_published":         {"Ngày đăng", "Publication date"},
	"basis_collected":         {"Ngày thu thập (như báo cáo)", "Collection date (as in reports)"},
	"basis_definition":        {"Khoảng ngày tính theo ngày hệ thống thu thập được bài (giờ Việt Nam), như trong các báo cáo; bài đăng trước đó nhưng thu thập muộn được tính vào ngày thu thập.", "Dates are the day presswatch collected the article (Vietnam time), as in the reports; an article published earlier but collected late counts on its collection day."},
	"rel_definition_province": {"“Liên quan Đồng Nai”: bài nói về Đồng Nai hoặc có nhắc đến tỉnh, đúng phạm vi các báo cáo dùng để đếm tin, bài.", "“Related to Đồng Nai”: articles about or mentioning the province, exactly the scope reports count."},
	"report_in_search":        {"Xem trong Tìm kiếm", "Open in search"},
}

// Dur writes a polling interval for people: "15 phút", "1 giờ 30 phút".
func (m messages) Dur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf(m.T("src_dur_s"), int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf(m.T("src_dur_m"), int(d/time.Minute))
	case d%time.Hour < time.Minute:
		return fmt.Sprintf(m.T("src_dur_h"), int(d/time.Hour))
	}
	return fmt.Sprintf(m.T("src_dur_hm"), int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func init() {
	for k, v := range sourcesCatalog {
		catalog[k] = v
	}
}
