package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dongnai/presswatch/article"
)

// Articles and classifications, PostgreSQL dialect. A batch is sent as one
// INSERT … SELECT FROM unnest(arrays) … ON CONFLICT statement per table: one
// round trip whatever the batch size.

const pgUpsertArticles = `INSERT INTO articles (
    id, url, canonical_url, source, sources, outlet, country, tier, lang, title,
    author, summary, text, image_url, published, collected, fingerprint, updated_at)
SELECT u.id, u.url, u.canonical_url, u.source, u.sources::jsonb, u.outlet, u.country, u.tier,
    u.lang, u.title, u.author, u.summary, u.text, u.image_url, u.published, u.collected,
    u.fingerprint, $18
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
    $15::timestamptz[], $16::timestamptz[], $17::bigint[])
    AS u(id, url, canonical_url, source, sources, outlet, country, tier, lang, title,
         author, summary, text, image_url, published, collected, fingerprint)
ORDER BY u.id
ON CONFLICT (id) DO UPDATE SET
    url           = coalesce(nullif(excluded.url, ''), articles.url),
    canonical_url = coalesce(nullif(excluded.canonical_url, ''), articles.canonical_url),
    source        = CASE WHEN excluded.collected < articles.collected AND excluded.source <> '' THEN excluded.source ELSE articles.source END,
    sources       = (SELECT coalesce(jsonb_agg(v ORDER BY v COLLATE "C"), '[]'::jsonb) FROM (
                        SELECT jsonb_array_elements_text(articles.sources)
                        UNION SELECT jsonb_array_elements_text(excluded.sources)) AS s(v)),
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
    collected     = least(articles.collected, excluded.collected),
    fingerprint   = CASE WHEN excluded.fingerprint <> 0 THEN excluded.fingerprint ELSE articles.fingerprint END,
    updated_at    = excluded.updated_at`

const pgUpsertClasses = `INSERT INTO classifications (
    article_id, about, mentions, relevance, topics, entities, tone, risk,
    needs_review, reasons, cluster, rules_version, classified_at, updated_at)
SELECT u.id, u.about, u.mentions, u.relevance, u.topics::jsonb, u.entities::jsonb, u.tone, u.risk,
    u.needs_review, u.reasons::jsonb, u.cluster, u.rules, u.at, $14
FROM unnest($1::text[], $2::bool[], $3::bool[], $4::float8[], $5::text[], $6::text[], $7::text[],
    $8::int[], $9::bool[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
    AS u(id, about, mentions, relevance, topics, entities, tone, risk, needs_review, reasons,
         cluster, rules, at)
ORDER BY u.id
ON CONFLICT (article_id) DO UPDATE SET
    about = excluded.about, mentions = excluded.mentions, relevance = excluded.relevance,
    topics = excluded.topics, entities = excluded.entities, tone = excluded.tone,
    risk = excluded.risk, needs_review = excluded.needs_review, reasons = excluded.reasons,
    cluster = excluded.cluster, rules_version = excluded.rules_version,
    classified_at = excluded.classified_at, updated_at = excluded.updated_at
WHERE classifications.classified_at IS NULL OR excluded.classified_at IS NULL
   OR excluded.classified_at >= classifications.classified_at`

const pgArticleCols = `a.id, a.url, a.canonical_url, a.source, a.sources::text, a.outlet, a.country,
    a.tier, a.lang, a.title, a.author, a.summary, a.text, a.image_url, a.published,
    a.collected, a.fingerprint,
    c.article_id IS NOT NULL, coalesce(c.about, false), coalesce(c.mentions, false),
    coalesce(c.relevance, 0), coalesce(c.topics::text, '[]'), coalesce(c.entities::text, '[]'),
    coalesce(c.tone, ''), coalesce(c.risk, 0), coalesce(c.needs_review, false),
    coalesce(c.reasons::text, '[]'), coalesce(c.cluster, ''), coalesce(c.rules_version, ''),
    c.classified_at`

const pgArticleFrom = ` FROM articles a LEFT JOIN classifications c ON c.article_id = a.id`

// pgArticleArgs are the column arrays of a batch of articles.
type pgArticleArgs struct {
	id, url, canon, source, sources, outlet, country []string
	tier                                             []int32
	lang, title, author, summary, text, image        []string
	published, collected                             []pgtype.Timestamptz
	fingerprint                                      []int64
}

type pgClassArgs struct {
	id                      []string
	about, mentions         []bool
	relevance               []float64
	topics, entities, tone  []string
	risk                    []int32
	review                  []bool
	reasons, cluster, rules []string
	at                      []pgtype.Timestamptz
}

func (c *pgClassArgs) add(r classRow) {
	c.id = append(c.id, r.id)
	c.about = append(c.about, r.c.About)
	c.mentions = append(c.mentions, r.c.Mentions)
	c.relevance = append(c.relevance, r.c.Relevance)
	c.topics = append(c.topics, r.topics)
	c.entities = append(c.entities, r.entities)
	c.tone = append(c.tone, r.c.Tone)
	c.risk = append(c.risk, int32(min(max(r.c.Risk, -1<<31), 1<<31-1)))
	c.review = append(c.review, r.c.NeedsReview)
	c.reasons = append(c.reasons, r.reasons)
	c.cluster = append(c.cluster, r.c.Cluster)
	c.rules = append(c.rules, r.c.Rules)
	c.at = append(c.at, pgTime(r.c.At))
}

func (c *pgClassArgs) queue(b *pgx.Batch, now time.Time) {
	b.Queue(pgUpsertClasses, c.id, c.about, c.mentions, c.relevance, c.topics,
		c.entities, c.tone, c.risk, c.review, c.reasons, c.cluster, c.rules, c.at, now)
}

func (c *pgClassArgs) exec(ctx context.Context, tx pgx.Tx, now time.Time) error {
	_, err := tx.Exec(ctx, pgUpsertClasses, c.id, c.about, c.mentions, c.relevance, c.topics,
		c.entities, c.tone, c.risk, c.review, c.reasons, c.cluster, c.rules, c.at, now)
	return err
}

// pgChunk bounds the rows of one statement, so that a huge call does not
// build one huge protocol message; the chunks share one transaction.
const pgChunk = 1000

func (s *pgStore) UpsertArticles(ctx context.Context, arts []*article.Article) error {
	if len(arts) == 0 {
		return nil
	}
	now := utc(time.Now())
	prepared, err := prepareArticles(arts, now)
	if err != nil {
		return fmt.Errorf("upsert articles: %w", err)
	}
	type chunk struct {
		a pgArticleArgs
		c pgClassArgs
	}
	var chunks []*chunk
	for i, x := range prepared {
		if i%pgChunk == 0 {
			chunks = append(chunks, &chunk{})
		}
		ch := chunks[len(chunks)-1]
		if err := ch.a.add(x); err != nil {
			return fmt.Errorf("upsert articles: %w", err)
		}
		if x.Classification != nil {
			r, err := encodeClass(x.ID, x.Classification)
			if err != nil {
				return fmt.Errorf("upsert articles: %w", err)
			}
			ch.c.add(r)
		}
	}
	// One pipelined batch: the statements travel in one round trip and, sent
	// before a single Sync, run in one implicit transaction (all or nothing).
	var b pgx.Batch
	for _, ch := range chunks {
		ch.a.queue(&b, now)
	}
	for _, ch := range chunks {
		if len(ch.c.id) > 0 {
			ch.c.queue(&b, now)
		}
	}
	err = s.sendBatchRetry(ctx, &b)
	if err != nil {
		return fmt.Errorf("upsert %d articles: %w", len(prepared), err)
	}
	return nil
}

func (a *pgArticleArgs) add(x *article.Article) error {
	sources, err := jsonList(x.Sources)
	if err != nil {
		return fmt.Errorf("article %q: sources: %w", x.ID, err)
	}
	a.id = append(a.id, x.ID)
	a.url = append(a.url, x.URL)
	a.canon = append(a.canon, x.CanonicalURL)
	a.source = append(a.source, x.Source)
	a.sources = append(a.sources, sources)
	a.outlet = append(a.outlet, x.Outlet)
	a.country = append(a.country, x.Country)
	a.tier = append(a.tier, int32(min(max(x.Tier, -1<<31), 1<<31-1)))
	a.lang = append(a.lang, x.Lang)
	a.title = append(a.title, x.Title)
	a.author = append(a.author, x.Author)
	a.summary = append(a.summary, x.Summary)
	a.text = append(a.text, x.Text)
	a.image = append(a.image, x.ImageURL)
	a.published = append(a.published, pgTime(x.Published))
	a.collected = append(a.collected, pgTime(x.Collected))
	a.fingerprint = append(a.fingerprint, int64(x.Fingerprint))
	return nil
}

func (a *pgArticleArgs) queue(b *pgx.Batch, now time.Time) {
	b.Queue(pgUpsertArticles, a.id, a.url, a.canon, a.source, a.sources,
		a.outlet, a.country, a.tier, a.lang, a.title, a.author, a.summary, a.text, a.image,
		a.published, a.collected, a.fingerprint, now)
}

func (s *pgStore) UpsertClassification(ctx context.Context, id string, c *article.Classification) error {
	if c == nil {
		return fmt.Errorf("upsert classification of %q: nil classification", id)
	}
	r, err := encodeClass(id, cleanClass(c))
	if err != nil {
		return fmt.Errorf("upsert classification: %w", err)
	}
	var args pgClassArgs
	args.add(r)
	err = s.withRetry(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("article %w", ErrNotFound)
		}
		return args.exec(ctx, tx, utc(time.Now()))
	})
	if err != nil {
		return fmt.Errorf("upsert classification of %q: %w", id, err)
	}
	return nil
}

func scanPGArticle(row pgx.Row) (*article.Article, error) {
	var (
		a                          article.Article
		tier, risk                 int32
		sources                    string
		published, collected, cAt  pgtype.Timestamptz
		fp                         int64
		hasC, about, mentions, rev bool
		c                          article.Classification
		topics, entities, reasons  string
	)
	err := row.Scan(&a.ID, &a.URL, &a.CanonicalURL, &a.Source, &sources, &a.Outlet, &a.Country,
		&tier, &a.Lang, &a.Title, &a.Author, &a.Summary, &a.Text, &a.ImageURL, &published,
		&collected, &fp,
		&hasC, &about, &mentions, &c.Relevance, &topics, &entities, &c.Tone, &risk, &rev,
		&reasons, &c.Cluster, &c.Rules, &cAt)
	if err != nil {
		return nil, err
	}
	a.Tier = int(tier)
	a.Published, a.Collected = fromPGTime(published), fromPGTime(collected)
	a.Fingerprint = uint64(fp)
	if a.Sources, err = parseList[string](sources); err != nil {
		return nil, fmt.Errorf("article %q: decode sources: %w", a.ID, err)
	}
	if hasC {
		c.About, c.Mentions, c.NeedsReview, c.Risk = about, mentions, rev, int(risk)
		c.At = fromPGTime(cAt)
		if err := decodeClassJSON(&c, topics, entities, reasons); err != nil {
			return nil, fmt.Errorf("article %q: %w", a.ID, err)
		}
		a.Classification = &c
	}
	return &a, nil
}

func (s *pgStore) GetArticle(ctx context.Context, id string) (*article.Article, error) {
	a, err := scanPGArticle(s.pool.QueryRow(ctx, `SELECT `+pgArticleCols+pgArticleFrom+` WHERE a.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("get article %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get article %q: %w", id, err)
	}
	return a, nil
}

func (s *pgStore) queryArticles(ctx context.Context, query string, args ...any) ([]*article.Article, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*article.Article
	for rows.Next() {
		a, err := scanPGArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *pgStore) GetArticles(ctx context.Context, ids []string) ([]*article.Article, error) {
	if len(ids) == 0 {
		return []*article.Article{}, nil
	}
	list, err := s.queryArticles(ctx, `SELECT `+pgArticleCols+pgArticleFrom+` WHERE a.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("get %d articles: %w", len(ids), err)
	}
	found := make(map[string]*article.Article, len(list))
	for _, a := range list {
		found[a.ID] = a
	}
	return orderArticles(ids, found), nil
}

func (s *pgStore) ArticlesExist(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = false
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM articles WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("check %d articles exist: %w", len(ids), err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("check %d articles exist: %w", len(ids), err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

func (s *pgStore) CountArticles(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

func (s *pgStore) CountClassified(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM classifications`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count classified articles: %w", err)
	}
	return n, nil
}

func (s *pgStore) ScanArticles(ctx context.Context, q ArticleQuery, fn func(*article.Article) error) error {
	return scanPages(ctx, q, fn, func(ctx context.Context, after *article.Article, n int) ([]*article.Article, error) {
		var (
			where []string
			args  []any
		)
		arg := func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		}
		if !q.Since.IsZero() {
			where = append(where, "a.collected >= "+arg(pgTime(q.Since)))
		}
		if !q.Until.IsZero() {
			where = append(where, "a.collected < "+arg(pgTime(q.Until)))
		}
		if q.Classified {
			where = append(where, "c.article_id IS NOT NULL")
		}
		if after != nil {
			where = append(where, "(a.collected, a.id) > ("+arg(pgTime(after.Collected))+"::timestamptz, "+arg(after.ID)+"::text)")
		}
		query := `SELECT ` + pgArticleCols + pgArticleFrom
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		query += " ORDER BY a.collected, a.id LIMIT " + arg(n)
		return s.queryArticles(ctx, query, args...)
	})
}
