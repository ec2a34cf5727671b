def register(router):
    """Add this module's API routes to the /api/v1/ router."""
