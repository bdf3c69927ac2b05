package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
)

// Articles and classifications, SQLite dialect.

const sqliteUpsertArticle = `INSERT INTO articles (
    id, url, canonical_url, source, sources, outlet, country, tier, lang, title,
    author, summary, text, image_url, published, collected, fingerprint, updated_at
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    url           = coalesce(nullif(excluded.url, ''), articles.url),
    canonical_url = coalesce(nullif(excluded.canonical_url, ''), articles.canonical_url),
    source        = CASE WHEN excluded.collected < articles.collected AND excluded.source <> '' THEN excluded.source ELSE articles.source END,
    sources       = (SELECT json_group_array(value ORDER BY value) FROM (
                        SELECT value FROM json_each(articles.sources)
                        UNION SELECT value FROM json_each(excluded.sources))),
    outlet        = coalesce(nullif(excluded.outlet, ''), articles.outlet),
    country       = coalesce(nullif(excluded.country, ''), articles.country),
    tier          = CASE WHEN excluded.tier <> 0 THEN excluded.tier ELSE articles.tier END,
    lang          = coalesce(nullif(excluded.lang, ''), articles.lang),
    title         = coalesce(nullif(excluded.title, ''), articles.title),
    author        = coalesce(nullif(excluded.author, ''), articles.author),
    summary       = coalesce(nullif(excluded.summary, ''), articles.summary),
    text          = coalesce(nullif(excluded.text, ''), articles.text),
    image_url     = coalesce(nullif(excluded.image_url, ''), articles.image_url),
    published     = coalesce(excluded.published, articles.published),
    collected     = min(articles.collected, excluded.collected),
    fingerprint   = CASE WHEN excluded.fingerprint <> 0 THEN excluded.fingerprint ELSE articles.fingerprint END,
    updated_at    = excluded.updated_at`

const sqliteUpsertClass = `INSERT INTO classifications (
    article_id, about, mentions, relevance, topics, entities, tone, risk,
    needs_review, reasons, cluster, rules_version, classified_at, updated_at
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (article_id) DO UPDATE SET
    about = excluded.about, mentions = excluded.mentions, relevance = excluded.relevance,
    topics = excluded.topics, entities = excluded.entities, tone = excluded.tone,
    risk = excluded.risk, needs_review = excluded.needs_review, reasons = excluded.reasons,
    cluster = excluded.cluster, rules_version = excluded.rules_version,
    classified_at = excluded.classified_at, updated_at = excluded.updated_at
WHERE classifications.classified_at IS NULL OR excluded.classified_at IS NULL
   OR excluded.classified_at >= classifications.classified_at`

// sqliteArticleCols selects an article and its classification (LEFT JOIN c).
const sqliteArticleCols = `a.id, a.url, a.canonical_url, a.source, a.sources, a.outlet, a.country,
    a.tier, a.lang, a.title, a.author, a.summary, a.text, a.image_url, a.published,
    a.collected, a.fingerprint,
    c.article_id IS NOT NULL, coalesce(c.about, 0), coalesce(c.mentions, 0),
    coalesce(c.relevance, 0), coalesce(c.topics, '[]'), coalesce(c.entities, '[]'),
    coalesce(c.tone, ''), coalesce(c.risk, 0), coalesce(c.needs_review, 0),
    coalesce(c.reasons, '[]'), coalesce(c.cluster, ''), coalesce(c.rules_version, ''),
    c.classified_at`

const sqliteArticleFrom = ` FROM articles a LEFT JOIN classifications c ON c.article_id = a.id`

// UpsertArticles hands the cleaned batch to the group-commit writer (see
// sqliteStore.groupWriter) and waits for its transaction to commit.
func (s *sqliteStore) UpsertArticles(ctx context.Context, arts []*article.Article) error {
	if len(arts) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upsert %d articles: %w", len(arts), err)
	}
	prepared, err := prepareArticles(arts, time.Now())
	if err != nil {
		return fmt.Errorf("upsert articles: %w", err)
	}
	req := &writeReq{arts: prepared, done: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return fmt.Errorf("upsert %d articles: %w", len(prepared), ctx.Err())
	case <-s.stop:
		return fmt.Errorf("upsert %d articles: %w", len(prepared), errClosed)
	}
	// Once handed over, the write completes even if ctx ends meanwhile (it is
	// an idempotent upsert); the caller just stops waiting for it.
	select {
	case err := <-req.done:
		if err != nil {
			return fmt.Errorf("upsert %d articles: %w", len(prepared), err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("upsert %d articles: %w", len(prepared), ctx.Err())
	}
}

// writeReq is one UpsertArticles call waiting for the group-commit writer.
type writeReq struct {
	arts []*article.Article // prepared: cleaned, merged, sorted
	done chan error         // buffered(1): the writer never blocks on it
}

// maxGroupArticles bounds the articles of one group-commit transaction.
const maxGroupArticles = 4096

// groupWriter runs until Close. It takes one waiting UpsertArticles call, adds
// every other call already waiting (up to maxGroupArticles), and writes them
// all in one transaction: one commit, so one fsync, for many concurrent small
// writers (crawler goroutines upsert one article at a time). If the group's
// transaction fails, each call is retried in a transaction of its own so that
// one caller's bad batch never fails another's.
func (s *sqliteStore) groupWriter() {
	defer s.wg.Done()
	for {
		var first *writeReq
		select {
		case <-s.stop:
			return
		case first = <-s.writes:
		}
		group, n := []*writeReq{first}, len(first.arts)
	drain:
		for n < maxGroupArticles {
			select {
			case r := <-s.writes:
				group = append(group, r)
				n += len(r.arts)
			default:
				break drain
			}
		}
		err := s.writeArticles(group)
		if err != nil && len(group) > 1 {
			for _, r := range group {
				r.done <- s.writeArticles([]*writeReq{r})
			}
			continue
		}
		for _, r := range group {
			r.done <- err
		}
	}
}

// sqliteWriteTimeout bounds one group-commit transaction.
const sqliteWriteTimeout = 2 * time.Minute

// writeArticles writes the articles of reqs in one transaction.
func (s *sqliteStore) writeArticles(reqs []*writeReq) error {
	ctx, cancel := context.WithTimeout(context.Background(), sqliteWriteTimeout)
	defer cancel()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	ast := tx.StmtContext(ctx, s.upsertArticle)
	cst := tx.StmtContext(ctx, s.upsertClass)
	nowUS := time.Now().UnixMicro()
	for _, r := range reqs {
		for _, a := range r.arts {
			sources, err := jsonList(a.Sources)
			if err != nil {
				return fmt.Errorf("article %q: %w", a.ID, err)
			}
			if _, err := ast.ExecContext(ctx, a.ID, a.URL, a.CanonicalURL, a.Source, sources, a.Outlet,
				a.Country, a.Tier, a.Lang, a.Title, a.Author, a.Summary, a.Text, a.ImageURL,
				sqlTime(a.Published), sqlTime(a.Collected), int64(a.Fingerprint), nowUS); err != nil {
				return fmt.Errorf("article %q: %w", a.ID, err)
			}
			if a.Classification != nil {
				if err := execSQLiteClass(ctx, cst, a.ID, a.Classification, nowUS); err != nil {
					return err
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.wrote()
	return nil
}

func execSQLiteClass(ctx context.Context, st *sql.Stmt, id string, c *article.Classification, nowUS int64) error {
	r, err := encodeClass(id, c)
	if err != nil {
		return fmt.Errorf("upsert classification: %w", err)
	}
	if _, err := st.ExecContext(ctx, id, sqlBool(c.About), sqlBool(c.Mentions), c.Relevance,
		r.topics, r.entities, c.Tone, c.Risk, sqlBool(c.NeedsReview), r.reasons, c.Cluster,
		c.Rules, sqlTime(c.At), nowUS); err != nil {
		return fmt.Errorf("upsert classification of %q: %w", id, err)
	}
	return nil
}

func (s *sqliteStore) UpsertClassification(ctx context.Context, id string, c *article.Classification) error {
	if c == nil {
		return fmt.Errorf("upsert classification of %q: nil classification", id)
	}
	c = cleanClass(c)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("upsert classification of %q: begin: %w", id, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("upsert classification of %q: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("upsert classification of %q: article %w", id, ErrNotFound)
	}
	if err := execSQLiteClass(ctx, tx.StmtContext(ctx, s.upsertClass), id, c, time.Now().UnixMicro()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upsert classification of %q: commit: %w", id, err)
	}
	s.wrote()
	return nil
}

// scanSQLiteArticle reads one row selected with sqliteArticleCols.
func scanSQLiteArticle(row interface{ Scan(...any) error }) (*article.Article, error) {
	var (
		a                          article.Article
		sources                    string
		published, collected, cAt  sql.NullInt64
		fp                         int64
		hasC, about, mentions, rev bool
		c                          article.Classification
		topics, entities, reasons  string
	)
	err := row.Scan(&a.ID, &a.URL, &a.CanonicalURL, &a.Source, &sources, &a.Outlet, &a.Country,
		&a.Tier, &a.Lang, &a.Title, &a.Author, &a.Summary, &a.Text, &a.ImageURL, &published,
		&collected, &fp,
		&hasC, &about, &mentions, &c.Relevance, &topics, &entities, &c.Tone, &c.Risk, &rev,
		&reasons, &c.Cluster, &c.Rules, &cAt)
	if err != nil {
		return nil, err
	}
	a.Published, a.Collected = fromSQLTime(published), fromSQLTime(collected)
	a.Fingerprint = uint64(fp)
	if a.Sources, err = parseList[string](sources); err != nil {
		return nil, fmt.Errorf("article %q: decode sources: %w", a.ID, err)
	}
	if hasC {
		c.About, c.Mentions, c.NeedsReview = about, mentions, rev
		c.At = fromSQLTime(cAt)
		if err := decodeClassJSON(&c, topics, entities, reasons); err != nil {
			return nil, fmt.Errorf("article %q: %w", a.ID, err)
		}
		a.Classification = &c
	}
	return &a, nil
}

func (s *sqliteStore) GetArticle(ctx context.Context, id string) (*article.Article, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+sqliteArticleCols+sqliteArticleFrom+` WHERE a.id = ?`, id)
	a, err := scanSQLiteArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("get article %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get article %q: %w", id, err)
	}
	return a, nil
}

// sqliteMaxIn bounds the number of parameters of one IN (…) list.
const sqliteMaxIn = 500

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func (s *sqliteStore) GetArticles(ctx context.Context, ids []string) ([]*article.Article, error) {
	found := make(map[string]*article.Article, len(ids))
	for _, part := range chunks(ids, sqliteMaxIn) {
		err := func() error {
			rows, err := s.r.QueryContext(ctx,
				`SELECT `+sqliteArticleCols+sqliteArticleFrom+` WHERE a.id IN (`+placeholders(len(part))+`)`,
				anySlice(part)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				a, err := scanSQLiteArticle(rows)
				if err != nil {
					return err
				}
				found[a.ID] = a
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("get %d articles: %w", len(ids), err)
		}
	}
	return orderArticles(ids, found), nil
}

// orderArticles returns the found articles in the order of ids; an id listed
// twice yields the article twice.
func orderArticles(ids []string, found map[string]*article.Article) []*article.Article {
	out := make([]*article.Article, 0, len(found))
	for _, id := range ids {
		if a, ok := found[id]; ok {
			out = append(out, a)
		}
	}
	return out
}

func (s *sqliteStore) ArticlesExist(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = false
	}
	for _, part := range chunks(ids, sqliteMaxIn) {
		err := func() error {
			rows, err := s.r.QueryContext(ctx,
				`SELECT id FROM articles WHERE id IN (`+placeholders(len(part))+`)`, anySlice(part)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				out[id] = true
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("check %d articles exist: %w", len(ids), err)
		}
	}
	return out, nil
}

func (s *sqliteStore) CountArticles(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

func (s *sqliteStore) CountClassified(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM classifications`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count classified articles: %w", err)
	}
	return n, nil
}

// scanPageSize is how many articles ScanArticles reads per query.
const scanPageSize = 500

func (s *sqliteStore) ScanArticles(ctx context.Context, q ArticleQuery, fn func(*article.Article) error) error {
	return scanPages(ctx, q, fn, func(ctx context.Context, after *article.Article, n int) ([]*article.Article, error) {
		var (
			where []string
			args  []any
		)
		if !q.Since.IsZero() {
			where = append(where, "a.collected >= ?")
			args = append(args, utc(q.Since).UnixMicro())
		}
		if !q.Until.IsZero() {
			where = append(where, "a.collected < ?")
			args = append(args, utc(q.Until).UnixMicro())
		}
		if q.Classified {
			where = append(where, "c.article_id IS NOT NULL")
		}
		if after != nil {
			where = append(where, "(a.collected, a.id) > (?, ?)")
			args = append(args, after.Collected.UnixMicro(), after.ID)
		}
		query := `SELECT ` + sqliteArticleCols + sqliteArticleFrom
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		query += " ORDER BY a.collected, a.id LIMIT ?"
		args = append(args, n)
		rows, err := s.r.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var page []*article.Article
		for rows.Next() {
			a, err := scanSQLiteArticle(rows)
			if err != nil {
				return nil, err
			}
			page = append(page, a)
		}
		return page, rows.Err()
	})
}

// scanPages drives keyset paging for ScanArticles on both backends: fetch
// returns up to n articles after the given one (nil = from the start). Rows are
// read completely before fn runs, so fn may use the store.
func scanPages(ctx context.Context, q ArticleQuery, fn func(*article.Article) error,
	fetch func(ctx context.Context, after *article.Article, n int) ([]*article.Article, error)) error {
	var (
		after *article.Article
		done  int
	)
	for {
		n := scanPageSize
		if q.Limit > 0 {
			n = min(n, q.Limit-done)
			if n <= 0 {
				return nil
			}
		}
		page, err := fetch(ctx, after, n)
		if err != nil {
			return fmt.Errorf("scan articles: %w", err)
		}
		for _, a := range page {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("scan articles: %w", err)
			}
			if err := fn(a); err != nil {
				return fmt.Errorf("scan articles: at %q: %w", a.ID, err)
			}
		}
		done += len(page)
		if len(page) < n {
			return nil
		}
		after = page[len(page)-1]
	}
}
