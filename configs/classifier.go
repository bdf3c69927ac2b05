package configs

// ClassifierConfig locates the classifier's rule files. It is owned by the
// classifier stage; see classifier/.
type ClassifierConfig struct{}
