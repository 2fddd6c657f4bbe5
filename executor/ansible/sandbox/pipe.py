# Gating: replaces the `pipe` and `lines` lookups inside the sandbox of an UNTRUSTED playbook: both would run a
# command on the executor.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = '''
    name: pipe
    short_description: refused for untrusted playbooks (Gating)
    description:
        - Gating refuses to run commands on the executor from an untrusted playbook.
    options:
      _terms:
        description: ignored
'''

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        raise AnsibleError('Executing local code is prohibited: an untrusted playbook may not run commands on the '
                           'executor through a lookup')
