"""The one permission layer: who may see and do what. Pages, exports and
(later) the API ask here and nowhere else.

Outsiders get a 404 rather than a 403, so that nobody learns which
structures or diagnostics exist outside their scope; a member who lacks the
role for an action gets a 403 with a message.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404

from autodiag.actions.models import ActionPlan, ActionSheet
from autodiag.diagnostics.models import Diagnostic
from autodiag.structures.enums import Role, ScopeKind
from autodiag.structures.models import Membership, Scope, Structure


def role_in(user, structure: Structure) -> str | None:
    return role_in_structure_id(user, structure.pk)


def role_in_structure_id(user, structure_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    known = getattr(user, "_known_roles", {})
    if structure_id in known:  # read with the object itself (diagnostic guards)
        return known[structure_id]
    cache = getattr(user, "_roles", None)
    if cache is None:
        cache = user._roles = dict(
            Membership.objects.filter(user=user).values_list("structure_id", "role")
        )
    return cache.get(structure_id)


def scopes_of(user) -> list[Scope]:
    """The user's scopes as a head (network, territory, national), cached on
    the user object for the request."""
    if not user.is_authenticated:
        return []
    cache = getattr(user, "_scopes", None)
    if cache is None:
        cache = user._scopes = list(Scope.objects.for_user(user).select_related("network"))
    return cache


def in_scope(user, structure: Structure) -> bool:
    return any(scope.covers(structure) for scope in scopes_of(user))


def is_head(user) -> bool:
    return bool(scopes_of(user))


def is_national_admin(user) -> bool:
    return any(scope.kind == ScopeKind.NATIONAL for scope in scopes_of(user))


def can_view_structure(user, structure: Structure) -> bool:
    """Members, and heads whose scope covers the structure (read-only)."""
    return role_in(user, structure) is not None or in_scope(user, structure)


def can_start_diagnostic(user, structure: Structure) -> bool:
    return role_in(user, structure) is not None


def networks_allowed_for(user) -> set[int] | None:
    """The networks whose referential the user may import: None for every
    network (national administration), else the networks they head."""
    if is_national_admin(user):
        return None
    return {scope.network_id for scope in scopes_of(user) if scope.kind == ScopeKind.NETWORK}


def can_import_referential(user) -> bool:
    allowed = networks_allowed_for(user)
    return allowed is None or bool(allowed)


def can_manage_team(user, structure: Structure) -> bool:
    """A structure's managers invite and remove its members."""
    return role_in(user, structure) == Role.MANAGER


def can_appoint_manager(user, structure: Structure) -> bool:
    """A head appoints the first manager of a structure in their scope."""
    if not in_scope(user, structure):
        return False
    return not Membership.objects.filter(structure=structure, role=Role.MANAGER).exists()


def can_view_diagnostic(user, diagnostic: Diagnostic) -> bool:
    return can_view_structure(user, diagnostic.structure)


def can_edit_diagnostic(user, diagnostic: Diagnostic) -> bool:
    """Members only: heads read a structure's answers, never change them."""
    return diagnostic.is_draft and role_in_structure_id(user, diagnostic.structure_id) is not None


def can_validate(user, diagnostic: Diagnostic) -> bool:
    return (
        diagnostic.is_draft and role_in_structure_id(user, diagnostic.structure_id) == Role.MANAGER
    )


def structures_for(user):
    """The structures the user belongs to (the dashboard's "Mes structures")."""
    return Structure.objects.for_member(user)


def structures_in_scope(user):
    """The structures a head reads: the union of their scopes."""
    scopes = scopes_of(user)
    if not scopes:
        return Structure.objects.none()
    if is_national_admin(user):
        return Structure.objects.all()  # (an empty Q() would vanish when OR-ed below)
    covered = Q(pk__in=[])
    for scope in scopes:
        covered |= scope.structure_filter()
    return Structure.objects.filter(covered)


def diagnostics_for(user):
    return Diagnostic.objects.filter(
        Q(structure__in=structures_for(user)) | Q(structure__in=structures_in_scope(user))
    )


# -- view guards --------------------------------------------------------------


def _wants_json(request) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
    )


def _refuse_anonymous(request):
    if _wants_json(request):
        # The autosave script keeps the answer and asks the person to sign in again.
        return JsonResponse(
            {"error": "session_expired", "message": "Votre session a expiré."}, status=401
        )
    return redirect_to_login(request.get_full_path())


def structure_member(view):
    """`view(request, structure, ...)` for a member of the structure whose
    code is in the URL; sign-in for anonymous visitors, 404 for outsiders."""

    @wraps(view)
    def guarded(request, code, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        structure = get_object_or_404(Structure, code=code)
        if not can_view_structure(request.user, structure):
            raise Http404("Structure introuvable")
        return view(request, structure, *args, **kwargs)

    return guarded


def diagnostic_member(view):
    """`view(request, diagnostic, ...)` for a member of the diagnostic's
    structure; sign-in for anonymous visitors, 404 for outsiders."""

    @wraps(view)
    def guarded(request, pk, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        # One query for the diagnostic and the user's role in its structure
        # (autosave calls this at every answer); the questionnaire's large
        # document is read once per process (QuestionnaireVersion.questionnaire).
        role = Membership.objects.filter(structure=OuterRef("structure"), user=request.user)
        diagnostic = get_object_or_404(
            Diagnostic.objects.select_related("structure", "questionnaire")
            .defer("questionnaire__document")
            .annotate(viewer_role=Subquery(role.values("role")[:1])),
            pk=pk,
        )
        request.user._known_roles = {diagnostic.structure_id: diagnostic.viewer_role}
        if not can_view_diagnostic(request.user, diagnostic):
            raise Http404("Diagnostic introuvable")
        return view(request, diagnostic, *args, **kwargs)

    return guarded


def answering_member(view):
    """`diagnostic_member` for the autosave endpoint, which runs at every
    answer: the same outcomes (401 for anonymous visitors, so that the page
    keeps the answer and asks to sign in again; 404 for outsiders), from one
    lean query (`Diagnostic.objects.for_answering`). The view still asks
    `can_edit_diagnostic`, which reads the role found here."""

    @wraps(view)
    def guarded(request, pk, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        found = Diagnostic.objects.for_answering(pk, request.user)
        if found is None:
            raise Http404("Diagnostic introuvable")
        diagnostic, role = found
        request.user._known_roles = {diagnostic.structure_id: role}
        if role is None and not can_view_diagnostic(request.user, diagnostic):
            raise Http404("Diagnostic introuvable")
        return view(request, diagnostic, *args, **kwargs)

    return guarded


def require(check, message: str):
    """Raise 403 with `message` unless `check` holds."""
    if not check:
        raise PermissionDenied(message)


# -- consolidation (issue 5): consolidated results, exports, API tokens ------


def can_view_consolidation(user) -> bool:
    """Network heads, territory heads and national administrators read the
    consolidated results of their scope."""
    return is_head(user)


def scope_structure_filter(user) -> Q | None:
    """The structures a head reads, as a filter on Structure; None for
    everything (national administration), so that the widest queries need
    no join; a filter matching nothing for someone with no scope."""
    scopes = scopes_of(user)
    if not scopes:
        return Q(pk__in=[])
    if is_national_admin(user):
        return None
    covered = Q(pk__in=[])
    for scope in scopes:
        covered |= scope.structure_filter()
    return covered


def networks_in_scope(user):
    """The networks whose structures the user reads (for filters and API
    tokens): every network for national administrators."""
    from autodiag.structures.models import Network

    if is_national_admin(user):
        return Network.objects.all()
    return Network.objects.filter(structures__in=structures_in_scope(user)).distinct()


def can_manage_api_tokens(user, network) -> bool:
    """Heads whose scope reaches into the network, and national
    administrators, create and revoke its API tokens."""
    if is_national_admin(user):
        return True
    return any(
        scope.kind == ScopeKind.NETWORK and scope.network_id == network.pk
        for scope in scopes_of(user)
    )


def can_remind(user, structure: Structure) -> bool:
    """A head may remind the managers of a structure in their scope."""
    return in_scope(user, structure)


def can_import_results(user) -> bool:
    """Earlier results are imported by heads, for the structures of their
    scope (each line is checked), and by national administrators."""
    return is_head(user)


def consolidation_head(view):
    """`view(request, ...)` for heads only: sign-in for anonymous visitors,
    404 for everyone else (a page they have no use for does not exist)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        if not can_view_consolidation(request.user):
            raise Http404("Aucun périmètre")
        return view(request, *args, **kwargs)

    return guarded


def api_token_holder(token):
    """The person an API token acts for, or None when the token no longer
    gives access (revoked, or its creator no longer heads its network).
    The API then reads what this person reads, limited to the network."""
    if token is None or token.revoked_at is not None:
        return None
    user = token.created_by
    if not user.is_active or not can_manage_api_tokens(user, token.network):
        return None
    return user


# -- action plans (autodiag.actions) -------------------------------------------
# Members (agents and managers) write the sheets and record the reviews;
# heads in scope read; managers alone delete a sheet and decide whether the
# plan is shown to users on a public page.


def can_view_action_plan(user, structure: Structure) -> bool:
    return can_view_structure(user, structure)


def can_edit_action_plan(user, structure: Structure) -> bool:
    """Create and edit sheets, record reviews: the structure's members."""
    return role_in(user, structure) is not None


def can_delete_action(user, structure: Structure) -> bool:
    return role_in(user, structure) == Role.MANAGER


def can_publish_action_plan(user, structure: Structure) -> bool:
    """Opt in to (or out of) the public page: the structure's managers."""
    return role_in(user, structure) == Role.MANAGER


def can_view_public_page(user, structure: Structure) -> bool:
    """Anyone, signed in or not, once a manager published the plan of an
    active structure; before that, the structure's members (a preview)."""
    published = (
        structure.is_active
        and ActionPlan.objects.filter(structure=structure, is_public=True).exists()
    )
    return published or role_in(user, structure) is not None


def actions_in_scope(user):
    """The action sheets of the structures a head reads."""
    return ActionSheet.objects.filter(structure__in=structures_in_scope(user))


def public_structure(view):
    """`view(request, structure, ...)` for the public page of the structure
    whose code is in the URL: 404 unless `can_view_public_page`."""

    @wraps(view)
    def guarded(request, code, *args, **kwargs):
        structure = get_object_or_404(Structure, code=code)
        if not can_view_public_page(request.user, structure):
            raise Http404("Page introuvable")
        return view(request, structure, *args, **kwargs)

    return guarded


# -- label audits (autodiag.audits) -------------------------------------------
# An auditor sees only the audits given to them, and only during their access
# period (before or after it: 404, as for outsiders). The structure's members
# and the heads whose scope covers it read a validated audit's report and the
# comparison with the self-diagnostic, and the preparation page at any time;
# they never change a score. National administrators give access in /admin/.

from django.utils import timezone  # noqa: E402 (this section's own imports)

from autodiag.audits.models import Audit  # noqa: E402


def is_auditor_now(user, audit, day=None) -> bool:
    """`user` is the audit's auditor and today is within its period."""
    return user.is_authenticated and audit.auditor_id == user.pk and audit.period_open(day)


def knows_audit(user, audit) -> bool:
    """Who may learn that the audit exists: its auditor during the period,
    the structure's members and the heads in scope. Anyone else: 404."""
    return is_auditor_now(user, audit) or can_view_structure(user, audit.structure)


def can_score_audit(user, audit) -> bool:
    return audit.is_draft and is_auditor_now(user, audit)


def can_validate_audit(user, audit) -> bool:
    """The auditor validates their own audit, during the period."""
    return can_score_audit(user, audit)


def can_view_audit_report(user, audit) -> bool:
    """A draft's provisional report is the auditor's; a validated report is
    also the structure's and its heads'."""
    if is_auditor_now(user, audit):
        return True
    return not audit.is_draft and can_view_structure(user, audit.structure)


def can_compare_audit(user, audit) -> bool:
    """Self-diagnostic against audit: the structure's members and heads in
    scope, once the audit is validated (the auditor does not read the
    self-diagnostic, which has no bearing on the label decision)."""
    return not audit.is_draft and can_view_structure(user, audit.structure)


def can_prepare_audit(user, structure: Structure) -> bool:
    """The "points à préparer" page: members and heads in scope."""
    return can_view_structure(user, structure)


def audits_given_to(user, day=None):
    """The audits whose period is running or yet to come (an audit whose
    period is over is no longer the auditor's to see)."""
    if not user.is_authenticated:
        return Audit.objects.none()
    return Audit.objects.filter(auditor=user, ends_on__gte=day or timezone.localdate())


def audits_in_scope(user):
    """Validated audits of the structures a head reads."""
    return Audit.objects.validated().filter(structure__in=structures_in_scope(user))


def can_read_audit_consolidation(user) -> bool:
    return is_head(user)


def shows_audits_menu(user) -> bool:
    """The header's "Audits du label": auditors with a current or coming
    audit, and heads (the consolidated view)."""
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_shows_audits_menu", None)
    if cache is None:
        cache = user._shows_audits_menu = is_head(user) or audits_given_to(user).exists()
    return cache


def audit_page(view):
    """`view(request, audit, ...)` for whoever may know the audit exists
    (knows_audit); sign-in for anonymous visitors, 404 for anyone else.
    Each view then requires its own permission (403 with a message)."""

    @wraps(view)
    def guarded(request, pk, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        audit = get_object_or_404(
            Audit.objects.select_related("structure", "grid", "auditor").defer("grid__document"),
            pk=pk,
        )
        if not knows_audit(request.user, audit):
            raise Http404("Audit introuvable")
        return view(request, audit, *args, **kwargs)

    return guarded


# -- listening to users: testimonies (autodiag.testimonies) --------------------
# Anyone may leave a testimony, signed out, for an active structure whose
# testimonies are open. The structure's members (agents and managers)
# moderate and answer; its managers set the signature and open or close the
# short link; heads in scope read everything, change nothing. Published
# testimonies are public wherever the structure's public page is; private
# and rejected ones never leave the members and the heads in scope.

from autodiag.testimonies.models import Listening, Testimony  # noqa: E402


def can_leave_testimony(structure: Structure) -> bool:
    listening = Listening.objects.filter(structure=structure).first()
    return structure.is_active and (listening is None or listening.is_open)


def can_read_testimonies(user, structure: Structure) -> bool:
    """The inbox, a testimony, the dashboard and the exports: members and
    heads in scope."""
    return can_view_structure(user, structure)


def can_moderate_testimonies(user, structure: Structure) -> bool:
    """Publish, keep private, reject, mask: the structure's members."""
    return role_in(user, structure) is not None


def can_answer_testimonies(user, structure: Structure) -> bool:
    """Answer and write answer templates: the structure's members."""
    return role_in(user, structure) is not None


def can_set_up_listening(user, structure: Structure) -> bool:
    """The answers' signature and opening or closing the short link: managers."""
    return role_in(user, structure) == Role.MANAGER


def can_read_public_testimonies(user, structure: Structure) -> bool:
    """Published testimonies are read where the public page is."""
    return can_view_public_page(user, structure)


def testimonies_in_scope(user):
    """Every testimony of the structures a head reads (None-free: a head
    with no scope reads nothing)."""
    return Testimony.objects.filter(structure__in=structures_in_scope(user))


def can_read_testimony_consolidation(user) -> bool:
    return is_head(user)


def listening_link(view):
    """`view(request, structure, listening, ...)` for the short link
    /t/<code>: 404 when the code is unknown, or testimonies are closed, or
    the structure is no longer active."""

    @wraps(view)
    def guarded(request, short_code, *args, **kwargs):
        listening = get_object_or_404(
            Listening.objects.select_related("structure"), short_code=short_code.lower()
        )
        structure = listening.structure
        if not (structure.is_active and listening.is_open):
            raise Http404("Lien introuvable")
        return view(request, structure, listening, *args, **kwargs)

    return guarded
