package configs

// IndexConfig configures the Bleve index. It is owned by the index stage.
type IndexConfig struct{}
