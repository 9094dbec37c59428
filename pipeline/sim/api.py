"""The GitLab REST routes the product uses: resolve the path, filter, order and page the dataset."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from pipeline.sim.events_api import EventsApi
from pipeline.sim.filters import BadParam, ItemFilter, flag, parse_time
from pipeline.sim.org.config import SimConfig
from pipeline.sim.org.model import Dataset, Group, Issue, MergeRequest, Project
from pipeline.sim.paging import PageRequest, Response, error, keyset_page, paginate
from pipeline.sim.render import Renderer, dumps

#: `User::FORBIDDEN_SEARCH_STATES` (app/models/user.rb): hidden from a non-admin's user search.
FORBIDDEN_SEARCH_STATES = frozenset({"blocked", "banned", "ldap_blocked"})
VERSION = {"version": "18.5.0", "revision": "sim", "kas": {"enabled": False}, "enterprise": False}


class Api:
    """Answers /api/v4 requests from the dataset; listing orderings are memoised per version."""

    def __init__(self, ds: Dataset, renderer: Renderer, cfg: SimConfig) -> None:
        self.ds = ds
        self.r = renderer
        self._memo: dict[tuple[object, ...], list[object]] = {}
        self._memo_version = -1
        self.events = EventsApi(ds, renderer, self._memoised, cfg)
        self.cfg = cfg

    def _memoised(self, key: tuple[object, ...], build: Callable[[], list[object]]) -> list[object]:
        if self._memo_version != self.ds.version:
            self._memo.clear()
            self._memo_version = self.ds.version
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) > 512:
                self._memo.clear()
            hit = self._memo[key] = build()
        return hit

    def handle(self, segments: list[str], req: PageRequest) -> Response:
        """Dispatch one GET below /api/v4 (segments already split, still percent-encoded)."""
        parts = [unquote(s) for s in segments]
        try:
            with self.ds.lock:
                return self._route(parts, req)
        except BadParam as exc:
            return error(400, str(exc), key="error")

    def _route(self, parts: list[str], req: PageRequest) -> Response:
        n = len(parts)
        if parts == ["version"]:
            return Response(200, dumps(VERSION), route="version")
        if n >= 2 and parts[0] == "groups":
            return self._group_route(parts, req)
        if n >= 2 and parts[0] == "projects":
            return self._project_route(parts, req)
        if parts == ["users"]:
            return self._users(req)
        if n == 2 and parts[0] == "users":
            # Any state, blocked and banned included, with its `state` (UserPolicy lets every
            # signed-in user :read_user, app/policies/user_policy.rb); the users_get_by_id rate
            # limit is applied around this route by the server (knobs.UsersGetById).
            user = self.ds.users.get(int(parts[1])) if parts[1].isdigit() else None
            resp = (
                error(404, "404 User Not Found")
                if user is None
                else Response(200, dumps(self.r.user_full(user)))
            )
            resp.route = "user"
            return resp
        return error(404, "404 Not Found")

    def _group_route(self, parts: list[str], req: PageRequest) -> Response:
        group = self._find_group(parts[1])
        tail = parts[2:]
        route = {
            (): "group",
            ("projects",): "group_projects",
            ("merge_requests",): "group_merge_requests",
            ("issues",): "group_issues",
        }.get(tuple(tail))
        if route is None:
            return error(404, "404 Not Found")
        if group is None:
            resp = error(404, "404 Group Not Found")
        elif route == "group":
            resp = Response(200, dumps(self._group_detail(group, req)))
        elif route == "group_projects":
            resp = self._group_projects(group, req)
        else:
            ids = self._group_project_ids(group, flag(req.params, "non_archived", True))
            resp = self._items(route, ids, req)
        resp.route, resp.group = route, group.full_path if group else parts[1]
        resp.group_id = group.id if group else None
        return resp

    def _project_route(self, parts: list[str], req: PageRequest) -> Response:
        project = self._find_project(parts[1])
        tail = parts[2:]
        if tail[:2] == ["repository", "branches"] and len(tail) > 2:
            route, branch = "branch", "/".join(tail[2:])
        else:
            route = {
                (): "project",
                ("repository", "commits"): "commits",
                ("repository", "merge_base"): "merge_base",
                ("merge_requests",): "merge_requests",
                ("issues",): "issues",
                ("events",): "project_events",
            }.get(tuple(tail), "")
        if not route:
            return error(404, "404 Not Found")
        if project is None:
            resp = error(404, "404 Project Not Found")
        elif route == "project":
            resp = Response(200, self.r.project_bytes(project))
        elif not project.repository and route in ("branch", "commits", "merge_base"):
            # `not_found! 'Repository' unless user_project.repository_exists?` (lib/api/commits.rb)
            resp = error(404, "404 Repository Not Found")
        elif route == "branch":
            resp = self._branch(project, branch)
        elif route == "commits":
            resp = self._commits(project, req)
        elif route == "merge_base":
            resp = self._merge_base(project, req)
        elif route == "project_events":
            resp = self.events.listing(project, req)
        else:
            resp = self._items(route, [project.id], req)
        resp.route = route
        resp.project = project.path_with_namespace if project else parts[1]
        resp.project_id = project.id if project else None
        return resp

    def _find_group(self, key: str) -> Group | None:
        if key.isdigit():
            return self.ds.groups.get(int(key))
        return self.ds.group_by_path(key)

    def _find_project(self, key: str) -> Project | None:
        if key.isdigit():
            return self.ds.projects.get(int(key))
        return self.ds.project_by_path(key)

    def _group_json(self, g: Group) -> dict[str, object]:
        return {
            "id": g.id,
            "name": g.name,
            "path": g.full_path.rsplit("/", 1)[-1],
            "full_name": g.name,
            "full_path": g.full_path,
            "parent_id": g.parent_id,
            "visibility": "private",
            "web_url": f"{self.ds.base_url}/groups/{g.full_path}",
        }

    def _group_detail(self, group: Group, req: PageRequest) -> dict[str, object]:
        """`GET /groups/:id` embeds the group's projects and the projects shared into it unless
        `with_projects=false` (default true: `Entities::GroupDetail` in `lib/api/groups.rb`)."""
        body = self._group_json(group)
        if not flag(req.params, "with_projects", True):
            return body
        own = sorted(p.id for p in self.ds.projects.values() if p.namespace_id == group.id)
        shared = sorted(p.id for p in self.ds.projects.values() if group.id in p.shared_with)
        body["projects"] = [self.r.project(self.ds.projects[pid]) for pid in own]
        body["shared_projects"] = [self.r.project(self.ds.projects[pid]) for pid in shared]
        return body

    def _group_project_ids(self, group: Group, non_archived: bool) -> list[int]:
        """Projects whose namespace is the group or a subgroup (never shared-in ones)."""
        spaces = self.ds.subgroup_ids(group.id)
        return [
            p.id
            for p in self.ds.projects.values()
            if p.namespace_id in spaces and not (non_archived and p.archived)
        ]

    def _group_projects(self, group: Group, req: PageRequest) -> Response:
        params = req.params
        spaces = (
            self.ds.subgroup_ids(group.id)
            if flag(params, "include_subgroups", False)
            else {group.id}
        )
        shared = flag(params, "with_shared", True)
        archived = params.get("archived")
        order_by = params.get("order_by", "created_at")
        if order_by not in ("id", "name", "path", "created_at", "updated_at", "last_activity_at"):
            raise BadParam("order_by does not have a valid value")
        desc = params.get("sort", "desc") != "asc"

        def build() -> list[object]:
            found = [
                p
                for p in self.ds.projects.values()
                if (p.namespace_id in spaces or (shared and spaces & set(p.shared_with)))
                and (archived is None or p.archived == flag(params, "archived", False))
            ]

            def key(p: Project) -> tuple[object, int]:
                value = {"name": p.name, "path": p.path_with_namespace}.get(order_by, p.created_at)
                return (p.id if order_by == "id" else value, p.id)

            return sorted(found, key=key, reverse=desc)  # type: ignore[arg-type]

        cursors = ("page", "per_page", "id_after", "id_before")
        key = sorted((k, v) for k, v in params.items() if k not in cursors)
        rows = self._memoised(("gp", group.id, *key), build)

        def fetch(a: int, b: int) -> list[bytes]:
            return [self.r.project_bytes(p) for p in rows[a:b]]  # type: ignore[arg-type]

        if params.get("pagination") == "keyset":
            if order_by != "id":
                raise BadParam("order_by does not have a valid value for keyset pagination")
            keys = [p.id for p in rows]  # type: ignore[attr-defined]
            return keyset_page(req, keys, fetch, desc)
        return paginate(req, len(rows), fetch)

    def _items(self, route: str, project_ids: list[int], req: PageRequest) -> Response:
        """MR or issue listing over some projects, with GitLab's filters and ordering."""
        is_mr = route.endswith("merge_requests")
        store: dict[int, MergeRequest] | dict[int, Issue] = (
            self.ds.merge_requests if is_mr else self.ds.issues
        )
        params = req.params
        filt = ItemFilter(params, is_mr)
        pids = set(project_ids)
        key = (
            "items",
            route,
            tuple(sorted(pids)),
            *sorted((k, v) for k, v in params.items() if k not in ("page", "per_page")),
        )
        rows = self._memoised(
            key, lambda: filt.apply([it for it in store.values() if it.project_id in pids])
        )
        render: Callable[[object], bytes] = (
            self.r.merge_request_bytes if is_mr else self.r.issue_bytes  # type: ignore[assignment]
        )

        def fetch(a: int, b: int) -> list[bytes]:
            return [render(it) for it in rows[a:b]]

        return paginate(req, len(rows), fetch)

    def _branch(self, project: Project, name: str) -> Response:
        head = project.branches.get(name)
        if head is None or head not in self.ds.commits:
            return error(404, "404 Branch Not Found")
        body = {
            "name": name,
            "commit": self.r.commit(self.ds.commits[head], project),
            "merged": False,
            "protected": name == project.default_branch,
            "developers_can_push": False,
            "developers_can_merge": False,
            "can_push": True,
            "default": name == project.default_branch,
            "web_url": f"{project.web_url}/-/tree/{name}",
        }
        return Response(200, dumps(body))

    def _commits(self, project: Project, req: PageRequest) -> Response:
        params = req.params
        ref = params.get("ref_name") or project.default_branch
        since, until = parse_time(params, "since"), parse_time(params, "until")

        def build() -> list[object]:
            if ".." in ref:
                old, new = ref.split("..", 1)
                old_sha, new_sha = (self.ds.resolve_ref(project.id, r) for r in (old, new))
                if old_sha is None or new_sha is None:
                    raise LookupError(ref)
                exclude = set(self.ds.log(old_sha))
                shas = [s for s in self.ds.log(new_sha) if s not in exclude]
            else:
                sha = self.ds.resolve_ref(project.id, ref)
                if sha is None:
                    raise LookupError(ref)
                shas = self.ds.log(sha)
            if since or until:
                commits = self.ds.commits
                shas = [
                    s
                    for s in shas
                    if (since is None or commits[s].committed_date >= since)
                    and (until is None or commits[s].committed_date <= until)
                ]
            return shas  # type: ignore[return-value]

        key = ("commits", project.id, ref, since, until)
        try:
            rows = self._memoised(key, build)
        except LookupError:
            # GitLab lists an unknown ref as an empty history, not an error.
            rows = []

        # lib/api/commits.rb fills `trailers`/`extended_trailers` only when asked; a GitLab older
        # than those fields (knob `commit_trailers` off) has neither
        trailers = flag(params, "trailers", False) if self.cfg.commit_trailers else None

        def fetch(a: int, b: int) -> list[bytes]:
            page: list[str] = rows[a:b]  # type: ignore[assignment]
            return [self.r.commit_bytes(s, project, trailers) for s in page]

        return paginate(req, len(rows), fetch, with_total=False, next_if_full=True)

    def _merge_base(self, project: Project, req: PageRequest) -> Response:
        """GitLab's messages: too few refs and unknown refs are 400s, no common ancestor 404."""
        refs = req.multi.get("refs[]") or req.multi.get("refs") or []
        if len(refs) == 1:
            refs = [r for r in refs[0].split(",") if r]
        if len(refs) < 2:
            return error(400, "Provide at least 2 refs")
        shas = [self.ds.resolve_ref(project.id, ref) for ref in refs]
        unknown = [ref for ref, sha in zip(refs, shas, strict=True) if sha is None]
        if unknown:
            noun = "ref" if len(unknown) == 1 else "refs"
            return error(400, f"Could not find {noun}: {', '.join(unknown)}")
        base: str | None = shas[0]
        for other in shas[1:]:
            assert base is not None and other is not None
            base = self.ds.merge_base(base, other)
            if base is None:
                return error(404, "404 Merge Base Not Found")
        assert base is not None
        return Response(200, dumps(self.r.commit(self.ds.commits[base], project)))

    def _users(self, req: PageRequest) -> Response:
        wanted = req.params.get("username")
        # A non-admin token (the simulator's) never sees blocked, banned or LDAP-blocked users
        # here: UsersFinder#base_scope uses `User.without_forbidden_states` unless the caller can
        # admin all resources (app/finders/users_finder.rb, User::FORBIDDEN_SEARCH_STATES).
        users = sorted(
            (u for u in self.ds.users.values() if u.state not in FORBIDDEN_SEARCH_STATES),
            key=lambda u: u.id,
        )
        if wanted is not None:
            users = [u for u in users if u.username.lower() == wanted.lower()]
        resp = paginate(
            req, len(users), lambda a, b: [dumps(self.r.user_basic(u)) for u in users[a:b]]
        )
        resp.route = "users_search"
        return resp
