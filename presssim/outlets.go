package presssim

// outlet is one simulated news organisation. Every outlet is served under
// /{name}/ on the simulator's address.
type outlet struct {
	Name     string // URL prefix and source name
	Outlet   string // display name
	Country  string // ISO 3166-1 alpha-2
	Lang     string // ISO 639-1
	Tagline  string
	Tracking bool              // feed links carry utm_* parameters
	Sections map[string]string // section slug → display name, in the outlet's language
	Legacy   string            // the legacy charset used by charset faults
}

// outlets are the simulated press. The names are fictional on purpose: no
// test or demo must ever be mistaken for a real publication.
var outlets = []outlet{
	{
		Name: "viendong", Outlet: "Đài Viễn Đông – Tiếng Việt", Country: "GB", Lang: "vi",
		Tagline: "Tin tức quốc tế bằng tiếng Việt", Legacy: "windows-1258",
		Sections: map[string]string{"news": "Thời sự", "business": "Kinh tế", "world": "Thế giới", "environment": "Môi trường", "society": "Xã hội"},
	},
	{
		Name: "nguoiviet-observer", Outlet: "Người Việt Quan Sát", Country: "US", Lang: "vi", Tracking: true,
		Tagline: "Tiếng nói cộng đồng hải ngoại", Legacy: "windows-1258",
		Sections: map[string]string{"news": "Tin Việt Nam", "business": "Kinh doanh", "world": "Quốc tế", "environment": "Môi trường", "society": "Đời sống"},
	},
	{
		Name: "meridian", Outlet: "Meridian Wire", Country: "US", Lang: "en", Tracking: true,
		Tagline: "Independent wire service", Legacy: "windows-1252",
		Sections: map[string]string{"news": "Asia", "business": "Business", "world": "World", "environment": "Climate", "society": "Society"},
	},
	{
		Name: "asialedger", Outlet: "The Asia Ledger", Country: "SG", Lang: "en",
		Tagline: "Markets, policy and people across Asia", Legacy: "windows-1252",
		Sections: map[string]string{"news": "Southeast Asia", "business": "Economy", "world": "World", "environment": "Environment", "society": "Life"},
	},
	{
		Name: "dongfang", Outlet: "东方时报", Country: "CN", Lang: "zh",
		Tagline: "东方时报国际新闻", Legacy: "GBK",
		Sections: map[string]string{"news": "国际", "business": "财经", "world": "环球", "environment": "环境", "society": "社会"},
	},
	{
		Name: "hankyeol", Outlet: "한결일보", Country: "KR", Lang: "ko", Tracking: true,
		Tagline: "세계를 읽는 한결일보", Legacy: "EUC-KR",
		Sections: map[string]string{"news": "국제", "business": "경제", "world": "세계", "environment": "환경", "society": "사회"},
	},
	{
		Name: "nichietsu", Outlet: "日越新報", Country: "JP", Lang: "ja",
		Tagline: "アジアの今を伝える", Legacy: "Shift_JIS",
		Sections: map[string]string{"news": "アジア", "business": "経済", "world": "国際", "environment": "環境", "society": "社会"},
	},
}

// sectionOrder is the order in which sections appear in navigation.
var sectionOrder = []string{"news", "business", "world", "environment", "society"}

// chrome holds an outlet's boilerplate strings in its language: navigation,
// comments, ads and footer, so article pages look like real news pages.
type chrome struct {
	Home, Related, MostRead, Comments, Advert, Subscribe, Copyright, By, Share, Reply, LoginToComment string
	Comment                                                                                           []string
}

var chromes = map[string]chrome{
	"vi": {Home: "Trang chủ", Related: "Tin liên quan", MostRead: "Đọc nhiều nhất", Comments: "Bình luận", Advert: "Quảng cáo",
		Subscribe: "Đăng ký nhận bản tin", Copyright: "Bản quyền thuộc về", By: "Tác giả", Share: "Chia sẻ", Reply: "Trả lời",
		LoginToComment: "Đăng nhập để bình luận",
		Comment:        []string{"Bài viết rất hay, cảm ơn tác giả.", "Mong có thêm thông tin chi tiết.", "Không biết bao giờ mới xong đây?"}},
	"en": {Home: "Home", Related: "Related stories", MostRead: "Most read", Comments: "Comments", Advert: "Advertisement",
		Subscribe: "Sign up for our newsletter", Copyright: "Copyright", By: "By", Share: "Share", Reply: "Reply",
		LoginToComment: "Log in to comment",
		Comment:        []string{"Great piece, thanks for the reporting.", "Would love a follow-up on this.", "Interesting, but where are the numbers?"}},
	"zh": {Home: "首页", Related: "相关新闻", MostRead: "热门排行", Comments: "评论", Advert: "广告",
		Subscribe: "订阅新闻简报", Copyright: "版权所有", By: "作者", Share: "分享", Reply: "回复",
		LoginToComment: "登录后发表评论",
		Comment:        []string{"写得很好，谢谢。", "希望有后续报道。", "数据来源是什么？"}},
	"ko": {Home: "홈", Related: "관련 기사", MostRead: "많이 본 뉴스", Comments: "댓글", Advert: "광고",
		Subscribe: "뉴스레터 구독", Copyright: "저작권", By: "기자", Share: "공유", Reply: "답글",
		LoginToComment: "로그인 후 댓글을 남기세요",
		Comment:        []string{"좋은 기사 감사합니다.", "후속 보도 부탁드립니다.", "출처가 궁금하네요."}},
	"ja": {Home: "ホーム", Related: "関連記事", MostRead: "よく読まれている記事", Comments: "コメント", Advert: "広告",
		Subscribe: "ニュースレター登録", Copyright: "著作権", By: "記者", Share: "共有", Reply: "返信",
		LoginToComment: "ログインしてコメント",
		Comment:        []string{"よくまとまった記事です。", "続報を期待しています。", "数字の出典が知りたい。"}},
}

func chromeFor(lang string) chrome {
	if c, ok := chromes[lang]; ok {
		return c
	}
	return chromes["en"]
}
