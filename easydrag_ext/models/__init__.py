"""Model builders that need no download: tiny seeded test models and the SD-1.5 architecture."""
