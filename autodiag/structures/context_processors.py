from autodiag.permissions import is_head


def navigation(request):
    """What the header's menu shows: "Mon périmètre" for heads."""
    return {"show_scope_menu": is_head(request.user) if hasattr(request, "user") else False}
