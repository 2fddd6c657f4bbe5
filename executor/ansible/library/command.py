# Gating: the `command` module (also used by `shell`), streaming its output.
#
# It behaves like ansible.builtin.command for the common arguments, and, when the Gating callback gives the task a
# `zuul_log_id`, it also appends every output line (stdout and stderr merged, as Zuul does) with a timestamp to
# /tmp/console-<zuul_log_id>.log on the node while the command runs, then an end marker. The executor's callback
# tails that file over ssh, so users see the output of a running command, not only after it ends.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
import shlex
import subprocess

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils._text import to_bytes, to_text

END_MARKER = b'[gating-console-end]\n'


def _stamp():
    return to_bytes(datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S.%f'))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            _raw_params=dict(),
            _uses_shell=dict(type='bool', default=False),
            argv=dict(type='list', elements='str'),
            chdir=dict(type='path'),
            executable=dict(),
            creates=dict(type='path'),
            removes=dict(type='path'),
            warn=dict(type='bool', default=False),
            stdin=dict(required=False),
            stdin_add_newline=dict(type='bool', default=True),
            strip_empty_ends=dict(type='bool', default=True),
            expand_argument_vars=dict(type='bool', default=True),
            zuul_log_id=dict(type='str'),
            zuul_output_max_bytes=dict(type='int', default=1073741824),
            zuul_ansible_split_streams=dict(type='bool'),
        ),
        supports_check_mode=True,
    )
    try:
        run(module)
    finally:
        # Every way out (a skip, a bad argument, an exception) ends the console log, so the streamer stops at once.
        log_id = module.params['zuul_log_id']
        if log_id and not MARKED:
            with open('/tmp/console-%s.log' % log_id, 'ab') as log:
                log.write(END_MARKER)


MARKED = False


def run(module):
    global MARKED
    p = module.params
    shell = p['_uses_shell']
    if p['argv'] and p['_raw_params']:
        module.fail_json(rc=256, msg="only command or argv can be given, not both")
    if not p['argv'] and not (p['_raw_params'] or '').strip():
        module.fail_json(rc=256, msg="no command given")
    if p['argv']:
        args = p['argv'] if not shell else ' '.join(shlex.quote(a) for a in p['argv'])
    elif shell:
        args = p['_raw_params']
    else:
        args = shlex.split(p['_raw_params'])
    if p['chdir']:
        try:
            os.chdir(p['chdir'])
        except (IOError, OSError) as e:
            module.fail_json(rc=258, msg='Unable to change directory before execution: %s' % to_text(e))
    for key, exists_skips in (('creates', True), ('removes', False)):
        if p[key] and os.path.exists(os.path.expanduser(p[key])) == exists_skips:
            module.exit_json(cmd=args, rc=0, changed=False, stdout='', stderr='',
                             msg='Did not run command since \'%s\' %s' % (p[key], 'exists' if exists_skips else 'does not exist'))
    if module.check_mode:
        module.exit_json(cmd=args, rc=0, changed=False, skipped=True, msg='Command would have run if not in check mode')

    stdin = None
    if p['stdin'] is not None:
        stdin = to_bytes(p['stdin'] + ('\n' if p['stdin_add_newline'] else ''))
    executable = p['executable'] or ('/bin/sh' if shell else None)
    log_path = '/tmp/console-%s.log' % p['zuul_log_id'] if p['zuul_log_id'] else None
    start = datetime.datetime.now()
    try:
        proc = subprocess.Popen(
            args, shell=shell, executable=executable,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if log_path else subprocess.PIPE)
    except (OSError, IOError) as e:
        if log_path:
            with open(log_path, 'ab') as log:
                log.write(_stamp() + b' | ' + to_bytes(str(e)) + b'\n' + END_MARKER)
            MARKED = True
        module.fail_json(rc=2, cmd=args, msg=to_text(e))
    stderr = b''
    if log_path:
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        out = []
        with open(log_path, 'ab', buffering=0) as log:
            for line in iter(proc.stdout.readline, b''):
                if sum(len(o) for o in out) < p['zuul_output_max_bytes']:
                    out.append(line)
                log.write(_stamp() + b' | ' + line.rstrip(b'\n') + b'\n')
            rc = proc.wait()
            log.write(END_MARKER)
            MARKED = True
        stdout = b''.join(out)
    else:
        stdout, stderr = proc.communicate(stdin)
        rc = proc.returncode
    end = datetime.datetime.now()
    stdout, stderr = to_text(stdout, errors='surrogate_or_replace'), to_text(stderr, errors='surrogate_or_replace')
    if p['strip_empty_ends']:
        stdout, stderr = stdout.rstrip('\r\n'), stderr.rstrip('\r\n')
    result = dict(cmd=args, stdout=stdout, stderr=stderr, rc=rc, start=str(start), end=str(end),
                  delta=str(end - start), changed=True, zuul_log_id=p['zuul_log_id'])
    if rc != 0:
        module.fail_json(msg='non-zero return code', **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
