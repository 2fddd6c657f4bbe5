using Gating.Testing.Git;

namespace Gating.Executor.Tests.Build;

/// <summary>The repositories of a parent job (trusted config project) and a child job (untrusted project) with roles.</summary>
internal static class JobRepos
{
    public const string SecretPassword = "hunter2-b9f3c1";

    private const string Header = "- hosts: all\n  gather_facts: false\n  tasks:\n";

    public static async Task CreateAsync(GitTestServer server)
    {
        await server.CreateProjectAsync("config", new Dictionary<string, string>
        {
            ["playbooks/base/pre.yaml"] = Header +
                "    - name: the trusted parent sees its secret\n" +
                "      assert: {that: [\"site_secret.password == '" + SecretPassword + "'\"], quiet: true}\n" +
                "    - shell: echo base-pre >> /tmp/{{ zuul.build }}-order\n",
            ["playbooks/base/post.yaml"] = Header +
                "    - shell: echo base-post >> /tmp/{{ zuul.build }}-order; cat /tmp/{{ zuul.build }}-order\n" +
                "- hosts: localhost\n  gather_facts: false\n  tasks:\n" +
                "    - name: trusted playbooks may run on the executor (inside the sandbox)\n" +
                "      command: git -C {{ zuul.executor.work_root }}/{{ zuul.project.src_dir }} diff --name-only origin/main..main\n",
        });
        await server.CreateProjectAsync("org/roles", new Dictionary<string, string>
        {
            ["roles/greet/tasks/main.yaml"] = "- shell: echo greet-role >> /tmp/{{ zuul.build }}-order\n",
        });
        await server.CreateProjectAsync("org/ansible-role-bare", new Dictionary<string, string>
        {
            ["tasks/main.yaml"] = "- shell: echo bare-role >> /tmp/{{ zuul.build }}-order\n",
        });
        await server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["README"] = "project\n",
            ["playbooks/pre.yaml"] = Header + "    - shell: echo child-pre >> /tmp/{{ zuul.build }}-order\n",
            ["playbooks/run.yaml"] = "- hosts: all\n  gather_facts: false\n  roles:\n    - greet\n    - bare\n  tasks:\n" +
                "    - name: the untrusted child does not see the parent's secret\n" +
                "      assert: {that: [\"site_secret is not defined\"]}\n" +
                "    - name: data returned by a parent job\n" +
                "      assert: {that: [\"from_parent == 'hello'\"]}\n" +
                "    - shell: echo child-run >> /tmp/{{ zuul.build }}-order\n" +
                "    - copy: {content: \"{{ zuul | to_json }}\", dest: \"/tmp/{{ zuul.build }}-zuul.json\"}\n" +
                "    - zuul_return:\n" +
                "        data:\n" +
                "          answer: 42\n" +
                "          zuul:\n" +
                "            log_url: http://logs.example.org/{{ zuul.build }}/\n" +
                "            artifacts: [{name: docs, url: docs/index.html}]\n" +
                "            child_jobs: [child-a]\n" +
                "            warnings: [careful]\n" +
                "            pause: true\n" +
                "        secret_data: {token: returned-secret}\n",
            ["playbooks/post.yaml"] = Header + "    - shell: echo child-post success={{ zuul_success }} >> /tmp/{{ zuul.build }}-order\n",
        });
    }
}
