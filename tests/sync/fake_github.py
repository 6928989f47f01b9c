"""A small stateful GitHub at the HTTP level: the REST calls PyGithub makes for the sync.

One `FakeRepo` per repository holds git objects (blobs, flat trees, commits), refs and pull
requests, and logs every write call, so tests assert "no write call" literally. Register it on a
`responses.RequestsMock`; unregistered URLs fail the test (responses answers ConnectionError).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

API = "https://api.github.test"


def git_sha(kind: str, content: bytes) -> str:
    return hashlib.sha1(b"%s %d\0" % (kind.encode(), len(content)) + content).hexdigest()


class FakeRepo:
    def __init__(self, full_name: str, files: dict[str, bytes], *, branch: str = "main") -> None:
        self.full_name = full_name
        self.owner = full_name.split("/")[0]
        self.base_url = f"{API}/repos/{full_name}"
        self.default_branch = branch
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, str]] = {}
        self.commits: dict[str, dict] = {}
        self.refs: dict[str, str] = {}
        self.pulls: list[dict] = []
        self.writes: list[tuple[str, str]] = []
        self.labels: dict[int, list[str]] = {}
        self.review_requests: dict[int, dict] = {}
        self.comments: dict[int, list[str]] = {}
        self.refs[branch] = self._commit(
            self._tree({p: self._blob(c) for p, c in files.items()}), [], "initial"
        )

    # --- git objects ---------------------------------------------------------------------------

    def _blob(self, content: bytes) -> str:
        sha = git_sha("blob", content)
        self.blobs[sha] = content
        return sha

    def _tree(self, entries: dict[str, str]) -> str:
        sha = git_sha("tree", json.dumps(sorted(entries.items())).encode())
        self.trees[sha] = dict(entries)
        return sha

    def _commit(self, tree: str, parents: list[str], message: str) -> str:
        body = json.dumps([tree, parents, message, len(self.commits)]).encode()
        sha = git_sha("commit", body)
        self.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    # --- what tests look at or do by hand --------------------------------------------------------

    def files(self, branch: str) -> dict[str, bytes]:
        tree = self.trees[self.commits[self.refs[branch]]["tree"]]
        return {path: self.blobs[sha] for path, sha in tree.items()}

    def push(self, branch: str, files: dict[str, bytes], message: str = "a commit by hand") -> str:
        """Someone commits to `branch` (changing some files) outside HMR."""
        parent = self.refs[branch]
        entries = {**self.trees[self.commits[parent]["tree"]], **{p: self._blob(c) for p, c in files.items()}}
        self.refs[branch] = self._commit(self._tree(entries), [parent], message)
        return self.refs[branch]

    def close_pull(self, number: int, *, merge: bool = False) -> None:
        pr = self.pulls[number - 1]
        pr["head_sha"] = self.refs[pr["head"]]
        pr["state"] = "closed"
        if merge:
            pr["merged_at"] = "2026-01-02T03:04:05Z"
            self.push(pr["base"], self.files(pr["head"]), f"Merge pull request #{number}")

    def open_pulls(self) -> list[dict]:
        return [pr for pr in self.pulls if pr["state"] == "open"]

    # --- JSON shapes -----------------------------------------------------------------------------

    def _commit_json(self, sha: str) -> dict:
        commit = self.commits[sha]
        return {
            "sha": sha,
            "url": f"{self.base_url}/git/commits/{sha}",
            "html_url": f"https://github.test/{self.full_name}/commit/{sha}",
            "message": commit["message"],
            "tree": {"sha": commit["tree"], "url": f"{self.base_url}/git/trees/{commit['tree']}"},
            "parents": [{"sha": p, "url": f"{self.base_url}/git/commits/{p}"} for p in commit["parents"]],
        }

    def _tree_json(self, sha: str) -> dict:
        entries = [
            {"path": path, "mode": "100644", "type": "blob", "sha": blob, "size": len(self.blobs[blob])}
            for path, blob in sorted(self.trees[sha].items())
        ]
        return {"sha": sha, "url": f"{self.base_url}/git/trees/{sha}", "tree": entries, "truncated": False}

    def _ref_json(self, branch: str) -> dict:
        sha = self.refs[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "url": f"{self.base_url}/git/refs/heads/{branch}",
            "object": {"sha": sha, "type": "commit", "url": f"{self.base_url}/git/commits/{sha}"},
        }

    def _pull_json(self, pr: dict) -> dict:
        n = pr["number"]
        head_sha = self.refs.get(pr["head"], "") if pr["state"] == "open" else pr["head_sha"]
        return {
            "id": n,
            "number": n,
            "url": f"{self.base_url}/pulls/{n}",
            "issue_url": f"{self.base_url}/issues/{n}",
            "html_url": f"https://github.test/{self.full_name}/pull/{n}",
            "state": pr["state"],
            "merged_at": pr["merged_at"],
            "title": pr["title"],
            "body": pr["body"],
            "head": {"ref": pr["head"], "sha": head_sha, "label": f"{self.owner}:{pr['head']}"},
            "base": {"ref": pr["base"], "sha": self.refs[pr["base"]], "label": f"{self.owner}:{pr['base']}"},
        }

    # --- HTTP ------------------------------------------------------------------------------------

    def register(self, rsps) -> None:
        # PyGithub spells the default port out (https://host:443/...).
        host, path = self.base_url.split("/repos/", 1)
        pattern = re.compile(re.escape(host) + r"(:443)?" + re.escape(f"/repos/{path}") + r"([/?].*)?$")
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            rsps.add_callback(method, pattern, callback=self._handle)

    def _handle(self, request):
        url = urlsplit(request.url)
        path = url.path.removeprefix(urlsplit(self.base_url).path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = json.loads(request.body) if request.body else {}
        if request.method != "GET":
            self.writes.append((request.method, path))
        for method, route, handler in self._routes():
            match = re.fullmatch(route, path)
            if method == request.method and match:
                status, payload = handler(*match.groups(), query=query, body=body)
                return status, {"Content-Type": "application/json"}, json.dumps(payload)
        return 404, {}, json.dumps({"message": f"fake GitHub has no route {request.method} {path}"})

    def _routes(self):
        return [
            ("GET", r"", self._get_repo),
            ("GET", r"/git/ref/heads/(.+)", self._get_ref),
            ("GET", r"/git/commits/(\w+)", lambda sha, **_: (200, self._commit_json(sha))),
            ("GET", r"/git/trees/(\w+)", lambda sha, **_: (200, self._tree_json(sha))),
            ("GET", r"/git/blobs/(\w+)", self._get_blob),
            ("POST", r"/git/blobs", self._post_blob),
            ("POST", r"/git/trees", self._post_tree),
            ("POST", r"/git/commits", self._post_commit),
            ("POST", r"/git/refs", self._post_ref),
            ("PATCH", r"/git/refs/heads/(.+)", self._patch_ref),
            ("GET", r"/pulls", self._list_pulls),
            ("POST", r"/pulls", self._post_pull),
            ("GET", r"/pulls/(\d+)", lambda n, **_: (200, self._pull_json(self.pulls[int(n) - 1]))),
            ("PATCH", r"/pulls/(\d+)", self._patch_pull),
            ("POST", r"/pulls/(\d+)/requested_reviewers", self._post_reviewers),
            ("POST", r"/issues/(\d+)/labels", self._post_labels),
            ("POST", r"/issues/(\d+)/comments", self._post_comment),
        ]

    def _get_repo(self, **_):
        return 200, {
            "full_name": self.full_name,
            "name": self.full_name.split("/")[1],
            "owner": {"login": self.owner},
            "url": self.base_url,
            "html_url": f"https://github.test/{self.full_name}",
            "default_branch": self.default_branch,
        }

    def _get_ref(self, branch, **_):
        if branch not in self.refs:
            return 404, {"message": "Not Found"}
        return 200, self._ref_json(branch)

    def _get_blob(self, sha, **_):
        content = self.blobs[sha]
        encoded = base64.encodebytes(content).decode()  # GitHub wraps base64 at 60 columns
        return 200, {"sha": sha, "content": encoded, "encoding": "base64", "size": len(content)}

    def _post_blob(self, body, **_):
        assert body["encoding"] == "base64"
        return 201, {"sha": self._blob(base64.b64decode(body["content"])), "url": ""}

    def _post_tree(self, body, **_):
        entries = dict(self.trees[body["base_tree"]]) if body.get("base_tree") else {}
        for entry in body["tree"]:
            assert entry["sha"] in self.blobs, "tree entry points at an unknown blob"
            entries[entry["path"]] = entry["sha"]
        return 201, self._tree_json(self._tree(entries))

    def _post_commit(self, body, **_):
        return 201, self._commit_json(self._commit(body["tree"], body["parents"], body["message"]))

    def _post_ref(self, body, **_):
        branch = body["ref"].removeprefix("refs/heads/")
        if branch in self.refs:
            return 422, {"message": "Reference already exists"}
        self.refs[branch] = body["sha"]
        return 201, self._ref_json(branch)

    def _patch_ref(self, branch, body, **_):
        if branch not in self.refs:
            return 422, {"message": "Reference does not exist"}
        assert body.get("force") is True, "the sync branch is always force-moved"
        self.refs[branch] = body["sha"]
        return 200, self._ref_json(branch)

    def _list_pulls(self, query, **_):
        pulls = [
            pr
            for pr in reversed(self.pulls)  # sort=created, direction=desc
            if query.get("state", "open") in ("all", pr["state"])
            and (not query.get("head") or query["head"] == f"{self.owner}:{pr['head']}")
            and (not query.get("base") or query["base"] == pr["base"])
        ]
        return 200, [self._pull_json(pr) for pr in pulls]

    def _post_pull(self, body, **_):
        if body["head"] not in self.refs:
            return 422, {"message": "Validation Failed: head does not exist"}
        if any(pr["head"] == body["head"] for pr in self.open_pulls()):
            return 422, {"message": "A pull request already exists"}
        pr = {
            "number": len(self.pulls) + 1,
            "state": "open",
            "merged_at": None,
            "title": body["title"],
            "body": body.get("body") or "",
            "head": body["head"],
            "base": body["base"],
            "head_sha": "",
        }
        self.pulls.append(pr)
        return 201, self._pull_json(pr)

    def _patch_pull(self, n, body, **_):
        pr = self.pulls[int(n) - 1]
        for key in ("title", "body"):
            if key in body:
                pr[key] = body[key]
        if body.get("state") == "closed":
            self.close_pull(pr["number"])
        return 200, self._pull_json(pr)

    def _post_reviewers(self, n, body, **_):
        self.review_requests[int(n)] = body
        return 201, self._pull_json(self.pulls[int(n) - 1])

    def _post_labels(self, n, body, **_):
        # GitHub takes {"labels": [...]} or a bare list (PyGithub sends the latter).
        self.labels.setdefault(int(n), []).extend(body["labels"] if isinstance(body, dict) else body)
        return 200, [{"name": name} for name in self.labels[int(n)]]

    def _post_comment(self, n, body, **_):
        self.comments.setdefault(int(n), []).append(body["body"])
        return 201, {"id": 1, "body": body["body"]}
