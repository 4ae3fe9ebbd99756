"""Scoring: embeddings, relevance to learner profiles, topics, story clusters, feedback, evaluation."""
