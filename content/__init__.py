"""Tech-touch content: the library of articles, videos, checklists and recordings that members
take in by themselves, opened through tracked links (content_viewed) and marked done
(content_completed)."""
