"""Full screens, one per view: claims, review session, scores."""
