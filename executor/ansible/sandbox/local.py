# Gating: replaces ansible.builtin.local inside the sandbox of an UNTRUSTED playbook (bind-mounted over Ansible's
# own local.py), so that no module, raw command, script or file transfer can run on the executor itself, whatever
# name the playbook uses (local, ansible.builtin.local, delegate_to: localhost, hosts: localhost). Action plugins
# that never touch the connection (debug, set_fact, assert, zuul_return...) still work on localhost.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = '''
    name: local
    short_description: refused on the executor for untrusted playbooks (Gating)
    description:
        - Gating refuses to execute code on the executor from an untrusted playbook.
    author: Gating
    version_added: historical
    extends_documentation_fragment:
        - connection_pipelining
'''

from ansible.errors import AnsibleError
from ansible.plugins.connection import ConnectionBase

MESSAGE = ('Executing local code is prohibited: an untrusted playbook may not run commands or transfer files on '
           'the executor (localhost); run it on a node instead')


class Connection(ConnectionBase):
    transport = 'local'
    has_pipelining = True

    def _connect(self):
        self._connected = True
        return self

    def exec_command(self, cmd, in_data=None, sudoable=True):
        raise AnsibleError(MESSAGE)

    def put_file(self, in_path, out_path):
        raise AnsibleError(MESSAGE)

    def fetch_file(self, in_path, out_path):
        raise AnsibleError(MESSAGE)

    def close(self):
        self._connected = False
