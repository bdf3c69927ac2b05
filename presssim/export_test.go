package presssim

import "time"

// FirstPublished is when the item id was first published, for tests.
func (s *Server) FirstPublished(id string) (time.Time, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.firstPub[id]
	return t, ok
}
