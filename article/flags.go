package article

// Flags an article may carry (Article.Flags): what ingestion changed or
// doubts in the collected data, so that later stages and analysts can tell.
const (
	// FlagFutureDate: the publisher's date was later than the time the
	// article was collected (beyond a small clock skew); Published was set
	// to the collection time.
	FlagFutureDate = "published_in_future"
	// FlagTitleCut: the title was longer than the ingestion limit and was
	// cut; the full title begins the text.
	FlagTitleCut = "title_cut"
	// FlagTextCut: the article was larger than one bus message carries and
	// its text (and, if need be, its summary) was cut to fit; the start of
	// the text, which the classifier reads, is kept.
	FlagTextCut = "text_cut"
)

// HasFlag reports whether a carries flag.
func (a *Article) HasFlag(flag string) bool {
	for _, f := range a.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// AddFlag adds flag to a unless it is there already.
func (a *Article) AddFlag(flag string) {
	if !a.HasFlag(flag) {
		a.Flags = append(a.Flags, flag)
	}
}
