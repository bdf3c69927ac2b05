-- Machine translations of titles and snippets (issue 14), cached so a text is
-- sent to the translation service once. key = hex SHA-256 of
-- "source|target|text".
CREATE TABLE translations (
    key         TEXT PRIMARY KEY,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    translated  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
