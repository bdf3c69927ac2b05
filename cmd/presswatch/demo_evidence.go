package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
)

// The demo's evidence story (issue 16): a distorted report is published,
// captured, edited, answered by the office and then corrected by the outlet,
// so about three minutes after its first capture the evidence page shows the
// captures, two detected changes with their word diffs, a recorded response
// and its outcome, which the quarterly bulletin lists. A narrative is created
// from the response, and another outlet's repeat of the claim (50 s after the
// correction) is flagged with it.
const demoStoryID = "demo-evidence-merger"

var demoStoryBody = []string{
	"Đồng Nai province is still waiting for a decision on its merger with Bình Phước, local sources claimed on Monday, despite earlier reports.",
	"The province's population is said to be around 3 million people.",
}

// demoEvidenceSchedule re-fetches the demo story after 1, 2 and 3 minutes,
// then on the usual long steps.
var demoEvidenceSchedule = []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute, 24 * time.Hour, 30 * 24 * time.Hour}

func demoEvidenceStory(sim *presssim.Server, log *slog.Logger) func(st store.Store) component {
	return func(st store.Store) component {
		return component{name: "demo-evidence", phase: phaseCollector, run: func(ctx context.Context) error {
			err := runDemoEvidenceStory(ctx, sim, st, log)
			if err != nil && ctx.Err() == nil {
				log.Warn("demo evidence story stopped", "err", err)
			}
			<-ctx.Done()
			return nil
		}}
	}
}

func runDemoEvidenceStory(ctx context.Context, sim *presssim.Server, st store.Store, log *slog.Logger) error {
	es, ok := st.(store.EvidenceStore)
	if !ok {
		return errors.New("the store keeps no evidence")
	}
	srcs := sim.Sources()
	if len(srcs) == 0 {
		return errors.New("presssim has no outlet")
	}
	src := srcs[0]
	for _, s := range srcs {
		if s.Lang == "en" {
			src = s
			break
		}
	}
	published := time.Now().UTC().Truncate(time.Second)
	item := presssim.Item{ID: demoStoryID, Lang: "en", Section: "news", Published: published,
		Title: "Dong Nai merger with Binh Phuoc still pending, sources say", Body: demoStoryBody}
	pub, err := sim.Publish(src.Name, item)
	if err != nil {
		return err
	}
	_, id, err := article.IDFor(pub.URL)
	if err != nil {
		return err
	}
	wait := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	// Wait for the crawler to collect it, then capture it as an alert would.
	for {
		if _, err := st.GetArticle(ctx, id); err == nil {
			break
		}
		if !wait(2 * time.Second) {
			return nil
		}
	}
	if err := es.RequestEvidence(ctx, store.EvidenceCheck{ArticleID: id, URL: pub.URL, Reason: store.EvidenceAlert}); err != nil {
		return err
	}
	log.Info("demo: evidence story published and captured", "article", id, "url", pub.URL)
	// The steps follow the captures, not the clock: at start-up the archive
	// may be busy with the demo's other alerts (and their screenshots) for
	// longer than a re-check interval, and an edit made before the first
	// capture would be the baseline (a new user saw one detected change
	// instead of two).
	captures := func(n int) bool {
		for {
			if ss, err := es.ListSnapshots(ctx, id); err == nil && len(ss) >= n {
				return true
			}
			if !wait(2 * time.Second) {
				return false
			}
		}
	}
	// After the first capture: the outlet edits the story (the 1-minute
	// re-check finds the edit).
	if !captures(1) {
		return nil
	}
	item.Body = []string{demoStoryBody[0], "The province's population is said to be around 3 million people, according to an unnamed official."}
	if _, err := sim.Publish(src.Name, item); err != nil {
		return err
	}
	// Ten seconds later the office answers.
	if !wait(10 * time.Second) {
		return nil
	}
	cluster := ""
	if a, err := st.GetArticle(ctx, id); err == nil && a.Classification != nil {
		cluster = a.Classification.Cluster
	}
	if err := es.UpsertResponse(ctx, store.Response{ID: "demo-response-merger", Cluster: cluster, ArticleID: id,
		Text:        "Sở Ngoại vụ gửi thư đề nghị đính chính: Bình Phước đã hợp nhất vào tỉnh Đồng Nai từ ngày 1/7/2025; dân số tỉnh khoảng 4,5 triệu người.",
		RespondedOn: time.Now().UTC(), Channel: store.ChannelLetter, ApprovedBy: "Giám đốc Sở Ngoại vụ (demo)", CreatedBy: "demo",
		Narratives: []string{"merger-not-done"}}); err != nil {
		return err
	}
	// …and turns its answer into a narrative, as an officer would with
	// "Tạo luận điểm từ phản hồi này", so that later repeats are flagged.
	if ns, ok := st.(store.NarrativeStore); ok {
		if err := ns.CreateNarrative(ctx, store.Narrative{ID: "n-demo-response-merger",
			Claim:      "Việc sáp nhập Bình Phước vào Đồng Nai vẫn chưa được quyết định",
			Phrases:    []string{"still pending", "still waiting for a decision", "vẫn đang chờ quyết định", "仍在等待", "아직 결정되지"},
			Context:    []string{"Binh Phuoc", "Bình Phước", "平福"},
			Correction: "Bình Phước đã hợp nhất vào tỉnh Đồng Nai từ ngày 1/7/2025 (Nghị quyết 202/2025/QH15).",
			ResponseID: "demo-response-merger", ArticleID: id, Weight: 40, CreatedBy: "demo", CreatedAt: time.Now().UTC()}); err != nil {
			return err
		}
	}
	// After the re-check that found the edit: the outlet corrects the story
	// (the 2-minute re-check finds the correction).
	if !captures(2) {
		return nil
	}
	item.Title = "Dong Nai completed its merger with Binh Phuoc in July 2025"
	item.Body = []string{
		"Correction: an earlier version of this story said the merger was still pending. Binh Phuoc was merged into Dong Nai on 1 July 2025.",
		"The province has a population of about 4.5 million people.",
	}
	if _, err := sim.Publish(src.Name, item); err != nil {
		return err
	}
	log.Info(fmt.Sprintf("demo: the story was edited and corrected; see %s/evidence", "/articles/"+id))
	// 50 s later another outlet repeats the answered claim; the classifier flags
	// it with the narrative created from the response (the response itself
	// stays "corrected": the original outlet corrected its story).
	if !wait(50 * time.Second) {
		return nil
	}
	other := src
	for _, s := range srcs {
		if s.Lang == "en" && s.Name != src.Name {
			other = s
			break
		}
	}
	repeat := presssim.Item{ID: demoStoryID + "-repeat", Lang: "en", Section: "news", Published: time.Now().UTC().Truncate(time.Second),
		Title: "Binh Phuoc merger into Dong Nai still pending, officials say",
		Body: []string{"The merger of Binh Phuoc into Dong Nai province is still pending, according to officials quoted by a regional newsletter.",
			"Residents of Dong Nai say they are unsure which province will run local services."}}
	if _, err := sim.Publish(other.Name, repeat); err != nil {
		return err
	}
	log.Info("demo: another outlet repeated the answered claim; its alert names the narrative created from the response")
	return nil
}
