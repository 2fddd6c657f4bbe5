# Gating: the stdout callback of every playbook a Gating executor runs (zuul.md section 4.5).
#
# - job-output.txt: "YYYY-MM-DD HH:MM:SS.ffffff | <host> | <text>" lines, play and task banners, a recap; flushed
#   per line, so the executor can follow the file while the build runs.
# - live remote output: for command/shell tasks it gives the task a zuul_log_id; Gating's command module writes the
#   output to /tmp/console-<id>.log on the node as it runs, and a thread per host tails that file over ssh (sharing
#   Ansible's ssh control connection) into job-output.txt, until the module's end marker.
# - job-output.json: one entry per playbook (phase, trusted, branch), with plays, tasks and per-host results.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = '''
    name: gating_log
    type: stdout
    short_description: Gating job-output.txt / job-output.json writer with live streaming
    description:
        - Writes the build's logs and streams remote command output.
'''

import datetime
import json
import os
import subprocess
import threading
import time
import uuid

from ansible.plugins.callback import CallbackBase

END_MARKER = '[gating-console-end]'
STREAMED_ACTIONS = ('command', 'shell', 'ansible.legacy.command', 'ansible.legacy.shell')


def now():
    return datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S.%f')


def iso_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class Streamer(threading.Thread):
    """Tails a node's console log over ssh into the text log until `expected` end markers were seen."""

    def __init__(self, callback, host, log_id, target):
        super(Streamer, self).__init__(daemon=True)
        self.callback = callback
        self.host = host
        self.lock = threading.RLock()  # finish() stops while holding it
        self.markers = 0
        self.expected = None
        self.stopped = False
        self.proc = None
        self.hurry = threading.Event()
        self.done = threading.Event()
        options = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                   '-o', 'LogLevel=ERROR', '-o', 'ControlMaster=auto', '-o', 'ControlPersist=60s',
                   '-o', 'ControlPath=%s/%%C' % os.environ.get('GATING_CONTROL_PATH_DIR', '/tmp'),
                   '-o', 'PermitLocalCommand=no', '-p', str(target['port'])]
        if target.get('key'):
            options += ['-i', target['key']]
        if target.get('user'):
            options += ['-l', target['user']]
        self.options = options + [target['host']]
        # `tail -F` on a file that does not exist yet polls once a second, which costs up to a second per task: wait
        # for the module to create the file with short sleeps (bounded), then tail -F an existing file (inotify, at
        # once). tail exits on its own once this ssh is gone (GNU tail notices its closed output).
        self.remote = ('f=/tmp/console-%s.log; n=0; while [ ! -e "$f" ] && [ $n -lt 150 ]; do sleep 0.02; n=$((n+1)); '
                       'done; exec tail -n +1 -F "$f" 2>/dev/null') % log_id

    def _wait_for_master(self):
        """Lets Ansible's own connection to the host become the ssh control master first, so this stream shares it
        instead of racing it with a second full ssh handshake. Bounded: a result for the host (finish), or 2 s without
        a master socket (another control path, a slow login), starts the stream at once."""
        try:
            config = subprocess.run(['ssh', '-G'] + self.options, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, timeout=5).stdout.decode('utf-8', 'replace')
        except (OSError, subprocess.SubprocessError):
            return
        path = next((line.split(' ', 1)[1] for line in config.splitlines() if line.startswith('controlpath ')), None)
        deadline = time.monotonic() + 2
        while path and not os.path.exists(path) and time.monotonic() < deadline:
            if self.hurry.wait(0.01):
                return

    def run(self):
        try:
            self._wait_for_master()
            with self.lock:
                if self.stopped:
                    return
                self.proc = subprocess.Popen(['ssh'] + self.options + [self.remote], stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            for raw in iter(self.proc.stdout.readline, b''):
                line = raw.decode('utf-8', 'replace').rstrip('\n')
                if line == END_MARKER:
                    with self.lock:
                        self.markers += 1
                        if self.expected is not None and self.markers >= self.expected:
                            break
                    continue
                stamp, sep, text = line.partition(' | ')
                if not sep:
                    stamp, text = now(), line
                self.callback.write(text, host=self.host, stamp=stamp)
        finally:
            self.stop()
            self.done.set()

    def finish(self, expected, timeout):
        self.hurry.set()
        with self.lock:
            self.expected = expected
            if self.markers >= expected:
                self.stop()
        if not self.done.wait(timeout):
            self.stop()
            self.done.wait(2)

    def stop(self):
        with self.lock:
            self.stopped = True
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'gating_log'

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.log_dir = os.environ.get('GATING_LOG_DIR', '.')
        os.makedirs(self.log_dir, exist_ok=True)
        self.text = open(os.path.join(self.log_dir, 'job-output.txt'), 'a', buffering=1)
        self.lock = threading.Lock()
        config = os.environ.get('GATING_STREAM_CONFIG')
        self.stream_targets = {}
        if config and os.path.exists(config):
            with open(config) as f:
                self.stream_targets = json.load(f)
        self.streamers = {}
        self.item_counts = {}
        control_dir = os.environ.get('GATING_CONTROL_PATH_DIR')
        if control_dir:
            os.makedirs(control_dir, mode=0o700, exist_ok=True)
        self.playbook = None
        self.play = None
        self.task = None
        self.task_start = None

    # ---- text log
    def write(self, text, host=None, stamp=None):
        prefix = '%s | ' % (stamp or now())
        if host:
            prefix += '%s | ' % host
        with self.lock:
            for line in (text.splitlines() or ['']):
                self.text.write(prefix + line + '\n')
            self.text.flush()

    # ---- playbook / play / task
    def v2_playbook_on_start(self, playbook):
        name = os.environ.get('GATING_PLAYBOOK_NAME', playbook._file_name)
        self.playbook = dict(
            playbook=name, phase=os.environ.get('GATING_PLAYBOOK_PHASE', ''),
            trusted=os.environ.get('GATING_PLAYBOOK_TRUSTED', 'false') == 'true',
            branch=os.environ.get('GATING_PLAYBOOK_BRANCH', ''), index=os.environ.get('GATING_PLAYBOOK_INDEX', '0'),
            plays=[], stats={})
        self.write('%s [%s]' % ('PRE-RUN START' if self.playbook['phase'] == 'pre' else
                                'POST-RUN START' if self.playbook['phase'] == 'post' else
                                'CLEANUP START' if self.playbook['phase'] == 'cleanup' else 'RUN START', name))

    def v2_playbook_on_play_start(self, play):
        name = play.get_name().strip()
        self.play = dict(play=dict(name=name, id=str(play._uuid), duration=dict(start=iso_now())), tasks=[])
        self.playbook['plays'].append(self.play)
        self.write('')
        self.write('PLAY [%s]' % name)

    def _task_start(self, task):
        self._finish_task()
        name = task.get_name().strip()
        self.task = dict(task=dict(name=name, id=str(task._uuid), action=task.action, duration=dict(start=iso_now())), hosts={})
        self.task_start = time.monotonic()
        if self.play is not None:
            self.play['tasks'].append(self.task)
        self.write('')
        self.write('TASK [%s]' % name)
        if task.action in STREAMED_ACTIONS and self.stream_targets and not task.loop:
            log_id = str(uuid.uuid4())
            task.args['zuul_log_id'] = log_id
            self.item_counts = {}
            for host, target in self.stream_targets.items():
                if target.get('connection', 'ssh') == 'ssh':
                    streamer = Streamer(self, host, log_id, target)
                    self.streamers[host] = streamer
                    streamer.start()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task)

    def _finish_task(self):
        for host in list(self.streamers):
            self._finish_stream(host, 0)

    def _finish_stream(self, host, expected):
        streamer = self.streamers.pop(host, None)
        if streamer is not None:
            streamer.finish(expected, timeout=10 if expected else 0.5)

    # ---- results
    def _result(self, result, status):
        host = result._host.get_name()
        data = self._clean(result._result)
        data['status'] = status
        if self.task is not None:
            self.task['hosts'][host] = data
            self.task['task']['duration']['end'] = iso_now()
        streamed = host in self.streamers
        ran = status in ('ok', 'changed', 'failed') and 'rc' in result._result
        if streamed:
            self._finish_stream(host, 1 if ran else 0)
        elapsed = time.monotonic() - (self.task_start or time.monotonic())
        if status == 'unreachable':
            self.write('UNREACHABLE: %s' % data.get('msg', ''), host=host)
        elif status == 'failed':
            if not streamed:
                self._write_output(host, data)
            self.write('ERROR%s' % (': ' + str(data['msg']) if data.get('msg') else ''), host=host)
        elif status == 'skipped':
            self.write('skipping', host=host)
        else:
            if not streamed:
                self._write_output(host, data)
            self.write('%s: Runtime: %.3fs' % (status, elapsed), host=host)

    def _write_output(self, host, data):
        for key in ('stdout', 'stderr'):
            if data.get(key):
                self.write(data[key], host=host)
        if self.task and self.task['task']['action'] in ('debug', 'ansible.builtin.debug') and 'msg' in data:
            msg = data['msg']
            self.write(msg if isinstance(msg, str) else json.dumps(msg, indent=2, sort_keys=True), host=host)
        for key, value in data.items():
            if self.task and self.task['task']['action'] in ('debug', 'ansible.builtin.debug') and key not in (
                    'msg', 'status', 'changed', '_ansible_verbose_always', '_ansible_no_log'):
                self.write('%s: %s' % (key, json.dumps(value, sort_keys=True)), host=host)

    @staticmethod
    def _clean(result):
        data = dict(result)
        if data.get('_ansible_no_log'):
            data = dict(censored="the output has been hidden due to the fact that 'no_log: true' was specified for this result",
                        changed=data.get('changed', False), failed=data.get('failed', False))
        for key in list(data):
            if key.startswith('_ansible') and key != '_ansible_no_log':
                data.pop(key)
        if data.get('results'):
            data['results'] = [CallbackModule._clean(r) if isinstance(r, dict) else r for r in data['results']]
        return data

    def v2_runner_on_ok(self, result):
        self._result(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, 'failed' if not ignore_errors else 'ignored')
        if ignore_errors and self.task is not None:
            self.task['hosts'][result._host.get_name()]['ignore_errors'] = True

    def v2_runner_on_unreachable(self, result):
        self._result(result, 'unreachable')

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_item_on_ok(self, result):
        self.write('ok: Item: %s' % self._get_item_label(result._result), host=result._host.get_name())

    def v2_runner_item_on_failed(self, result):
        self.write('failed: Item: %s %s' % (self._get_item_label(result._result), result._result.get('msg', '')), host=result._host.get_name())

    def v2_runner_item_on_skipped(self, result):
        self.write('skipping: Item: %s' % self._get_item_label(result._result), host=result._host.get_name())

    # ---- end
    def v2_playbook_on_stats(self, stats):
        self._finish_task()
        self.write('')
        self.write('PLAY RECAP')
        for host in sorted(stats.processed.keys()):
            s = stats.summarize(host)
            self.playbook['stats'][host] = s
            self.write('ok: %d changed: %d unreachable: %d failed: %d skipped: %d rescued: %d ignored: %d' % (
                s['ok'], s['changed'], s['unreachable'], s['failures'], s['skipped'], s['rescued'], s['ignored']), host=host)
        self.write('')
        self._write_json()

    def _write_json(self):
        path = os.path.join(self.log_dir, 'job-output.json')
        entries = []
        if os.path.exists(path):
            with open(path) as f:
                try:
                    entries = json.load(f)
                except ValueError:
                    entries = []
        entries.append(self.playbook)
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(entries, f, indent=2, sort_keys=True, default=str)
        os.rename(tmp, path)
