# Gating: zuul_return, as Zuul's (zuul.md section 4.5). Runs on the executor (an action plugin, never a remote
# module) and merges `data` and `secret_data` into the build's results file, which the executor reads when the
# build ends: data for child jobs, and the special `zuul` keys (log_url, artifacts, child_jobs, pause, retry,
# warnings, file_comments).
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import tempfile

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase


def merge(into, new):
    """Deep-merges dicts; other values (lists included) replace what was there, as Zuul does."""
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        path = os.environ.get('GATING_RESULTS_FILE')
        if not path:
            raise AnsibleError('zuul_return: GATING_RESULTS_FILE is not set (not running under a Gating executor)')
        data = self._task.args.get('data')
        secret_data = self._task.args.get('secret_data')
        source = self._task.args.get('file')
        if source:
            with open(source) as f:
                loaded = json.load(f)
            data = merge(loaded, data or {})
        if data is not None and not isinstance(data, dict):
            raise AnsibleError('zuul_return: data must be a dictionary')
        if secret_data is not None and not isinstance(secret_data, dict):
            raise AnsibleError('zuul_return: secret_data must be a dictionary')
        current = {}
        if os.path.exists(path):
            with open(path) as f:
                current = json.load(f)
        if data:
            current['data'] = merge(current.get('data', {}), data)
        if secret_data:
            current['secret_data'] = merge(current.get('secret_data', {}), secret_data)
        fd, tmp_path = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.results')
        with os.fdopen(fd, 'w') as f:
            json.dump(current, f)
        os.rename(tmp_path, path)
        result['changed'] = False
        # Secret data must not show up in the task result (and so in the logs).
        result['data'] = data or {}
        return result
