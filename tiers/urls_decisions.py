urlpatterns: list = [
    # Owned by the decisions pages: board, academy tier page, proposals, definitions, rules.
]
