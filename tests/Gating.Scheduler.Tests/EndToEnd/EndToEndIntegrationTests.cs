using Gating.Config.Secrets;
using Gating.Scheduler.Nodes;
using Gating.ZooKeeper;
using Gating.Coordination;

namespace Gating.Scheduler.Tests.EndToEnd;

/// <summary>
/// Changes through the whole system on the real servers (<see cref="EndToEndFixture"/>): trigger event, scheduler,
/// merge on the real merger, node request to the real nodepool launcher (static sshd node), build request with the
/// parameters <c>BuildParametersFactory</c> makes, real ansible-playbook runs of pre-run, run and post-run playbooks
/// (trusted and untrusted, vars and a decrypted secret), result events, and the vote on the review system.
/// </summary>
public sealed class EndToEndIntegrationTests
{
    private const string TenantYaml = """
        - tenant:
            name: tenant-one
            source:
              gerrit:
                config-projects:
                  - common-config
                untrusted-projects:
                  - org/project
                  - org/project2
        """;

    private const string Pipelines = """
        - pipeline:
            name: check
            manager: independent
            trigger:
              gerrit:
                - event: patchset-created
            success:
              gerrit:
                Verified: 1
            failure:
              gerrit:
                Verified: -1

        - pipeline:
            name: gate
            manager: dependent
            precedence: high
            require:
              gerrit:
                open: true
                current-patchset: true
                approval:
                  - Code-Review: 2
            trigger:
              gerrit:
                - event: comment-added
                  approval:
                    - Approved: 1
            success:
              gerrit:
                Verified: 2
                submit: true
            failure:
              gerrit:
                Verified: -2
        """;

    private const string Header = "- hosts: all\n  gather_facts: false\n  tasks:\n";

    [Fact]
    public async Task An_approved_change_passes_the_gate_on_real_nodes_and_a_broken_job_fails_check_with_its_vote()
    {
        var marker = "gating-e2e-" + Guid.NewGuid().ToString("N")[..10];
        var log = (string job) => $"/tmp/{marker}-{job}.log";
        await using var fx = await EndToEndFixture.StartAsync(TenantYaml, async keys =>
        {
            // A secret of the config project (one of an untrusted project would make its jobs post-review, as in Zuul).
            using var key = await keys.GetOrCreateAsync(EndToEndFixture.Connection, "common-config", CancellationToken.None);
            var secret = EncryptedSecretYaml.Format("db-credentials", "password", OaepCipher.Encrypt(key, "s3cret-pw"));
            return new Dictionary<string, Dictionary<string, string>>
            {
                ["common-config"] = new()
                {
                    ["zuul.d/pipelines.yaml"] = Pipelines,
                    ["zuul.d/secrets.yaml"] = secret,
                    ["zuul.d/jobs.yaml"] = $"""
                        - job:
                            name: base
                            parent: null
                            pre-run: playbooks/base-pre.yaml
                            post-run: playbooks/base-post.yaml
                            vars:
                              marker: {marker}
                            secrets:
                              - name: db
                                secret: db-credentials
                            nodeset:
                              nodes:
                                - name: controller
                                  label: debian

                        - job:
                            name: broken
                            run: playbooks/broken.yaml

                        - project:
                            name: org/project2
                            check:
                              jobs:
                                - broken
                        """,
                    ["playbooks/base-pre.yaml"] = Header + "    - shell: echo pre {{ inventory_hostname }} {{ db.password }} >> /tmp/{{ marker }}-{{ zuul.job }}.log\n",
                    ["playbooks/base-post.yaml"] = Header + "    - shell: echo post >> /tmp/{{ marker }}-{{ zuul.job }}.log\n",
                    ["playbooks/broken.yaml"] = Header + "    - shell: echo run >> /tmp/{{ marker }}-{{ zuul.job }}.log\n    - fail: {msg: broken on purpose}\n",
                },
                ["org/project"] = new()
                {
                    ["README"] = "project\n",
                    [".zuul.yaml"] = """
                        - job:
                            name: hello
                            run: playbooks/hello.yaml
                            vars:
                              greeting: hello-from-vars

                        - project:
                            gate:
                              jobs:
                                - hello
                        """,
                    ["playbooks/hello.yaml"] = Header +
                        "    - shell: echo run {{ greeting }} change-{{ zuul.change }} >> /tmp/{{ marker }}-{{ zuul.job }}.log\n",
                },
                ["org/project2"] = new() { ["README"] = "project2\n" },
            };
        });
        try
        {
            var good = await fx.CreateChangeAsync("org/project", new() { ["feature.txt"] = "a feature\n" }, "Add a feature");
            fx.Review.SetApproval(good, "Code-Review", 2, "core");
            await fx.Review.ApproveAsync(good, "Approved", 1, "core", CancellationToken.None);
            var bad = await fx.CreateChangeAsync("org/project2", new() { ["other.txt"] = "other\n" }, "Something else");
            await fx.Review.SendPatchsetCreatedAsync(bad, CancellationToken.None);

            string Reports() => string.Join(" | ", new[] { good, bad }.SelectMany(n => fx.Review.ReportsOn(n).Select(r => $"{n}/{r.Pipeline}: {r.Message}")));
            await fx.WaitUntilAsync(() => fx.Review.MergedByGating.Contains(good) && fx.Review.VotesOn(bad).ContainsKey("Verified"),
                () => $"reports: {Reports()}; logs: {Read(log("hello"))} / {Read(log("broken"))}");

            Assert.Equal(2, fx.Review.VotesOn(good)["Verified"]);
            Assert.Equal(-1, fx.Review.VotesOn(bad)["Verified"]);
            Assert.Contains(fx.Review.ReportsOn(good), r => r.Pipeline == "gate" && r.Message.Contains("hello", StringComparison.Ordinal) && r.Message.Contains("SUCCESS", StringComparison.Ordinal));
            Assert.Contains(fx.Review.ReportsOn(bad), r => r.Pipeline == "check" && r.Message.Contains("broken", StringComparison.Ordinal) && r.Message.Contains("FAILURE", StringComparison.Ordinal));
            // Trusted pre-run (with the decrypted secret) and post-run around the untrusted run playbook (with job vars
            // and the item's zuul variables), on the node the launcher provided.
            Assert.Equal(["pre controller s3cret-pw", $"run hello-from-vars change-{good}", "post"], File.ReadAllLines(log("hello")));
            Assert.Equal(["pre controller s3cret-pw", "run", "post"], File.ReadAllLines(log("broken")));

            // The nodes went back: every request and the scheduler's records of them are gone.
            await fx.WaitUntilAsync(async () =>
                    (await fx.Zk.TryGetChildrenAsync(NodepoolNodeProvisioner.TrackingRoot, CancellationToken.None)).Count == 0
                    && (await fx.Zk.TryGetChildrenAsync(ZkPaths.NodeRequests, CancellationToken.None)).Count == 0,
                () => "node requests left behind");
        }
        finally
        {
            foreach (var job in new[] { "hello", "broken" })
            {
                File.Delete(log(job));
            }
        }
    }

    [Fact]
    public async Task A_new_patchset_aborts_the_running_build_its_nodes_go_back_and_the_new_patchset_is_voted()
    {
        var marker = "gating-e2e-" + Guid.NewGuid().ToString("N")[..10];
        await using var fx = await EndToEndFixture.StartAsync(TenantYaml, _ => Task.FromResult(new Dictionary<string, Dictionary<string, string>>
        {
            ["common-config"] = new()
            {
                ["zuul.d/pipelines.yaml"] = Pipelines,
                ["zuul.d/jobs.yaml"] = $"""
                    - job:
                        name: base
                        parent: null
                        vars:
                          marker: {marker}
                        nodeset:
                          nodes:
                            - name: controller
                              label: debian

                    - job:
                        name: slow
                        run: playbooks/slow.yaml

                    - project:
                        name: org/project
                        check:
                          jobs:
                            - slow
                    """,
                // The first patchset's build runs until it is aborted; the second one finishes at once.
                ["playbooks/slow.yaml"] = Header + "    - shell: touch /tmp/{{ marker }}-ps{{ zuul.patchset }}\n" +
                    "    - shell: sleep 600\n      when: zuul.patchset == '1'\n",
            },
            ["org/project"] = new() { ["README"] = "project\n" },
            ["org/project2"] = new() { ["README"] = "project2\n" },
        }));
        try
        {
            var change = await fx.CreateChangeAsync("org/project", new() { ["a.txt"] = "one\n" }, "Slow change");
            await fx.Review.SendPatchsetCreatedAsync(change, CancellationToken.None);
            await fx.WaitUntilAsync(() => File.Exists($"/tmp/{marker}-ps1"), () => "the first patchset's build never ran");

            var files = new Dictionary<string, string?> { ["a.txt"] = "two\n" };
            await fx.Git.CreateChangeAsync("org/project", "master", change, 2, files, "Slow change, fixed");
            await fx.Review.NewPatchsetAsync(change, files, CancellationToken.None);

            await fx.WaitUntilAsync(() => fx.Review.VotesOn(change).ContainsKey("Verified"),
                () => string.Join(" | ", fx.Review.ReportsOn(change).Select(r => r.Message)));
            Assert.Equal(1, fx.Review.VotesOn(change)["Verified"]);
            Assert.True(File.Exists($"/tmp/{marker}-ps2"));
            // The aborted build's node and the finished one's went back: no request or record is left.
            await fx.WaitUntilAsync(async () =>
                    (await fx.Zk.TryGetChildrenAsync(NodepoolNodeProvisioner.TrackingRoot, CancellationToken.None)).Count == 0
                    && (await fx.Zk.TryGetChildrenAsync(ZkPaths.NodeRequests, CancellationToken.None)).Count == 0,
                () => "node requests left behind");
        }
        finally
        {
            File.Delete($"/tmp/{marker}-ps1");
            File.Delete($"/tmp/{marker}-ps2");
        }
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "(none)";
}
