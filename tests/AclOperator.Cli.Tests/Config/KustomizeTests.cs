using System.Diagnostics;
using AclOperator.Api.V1Alpha1;
using AclOperator.Cli.Tests.Support;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;

namespace AclOperator.Cli.Tests.Config;

/// <summary>config/ is kubebuilder's layout and every kustomization builds offline into YAML KubernetesClient reads strictly.</summary>
public sealed class KustomizeTests
{
    private static async Task<string> KustomizeAsync(string folder)
    {
        Assert.SkipWhen(Kubectl.Executable is null, "kubectl is not installed on this machine (it runs `kubectl kustomize`)");
        var psi = new ProcessStartInfo(Kubectl.Executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        psi.ArgumentList.Add("kustomize");
        psi.ArgumentList.Add(folder);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {folder}: {await stderr}");
        return await stdout;
    }

    [Fact]
    public async Task Default_builds_the_crds_and_the_aggregated_roles()
    {
        var objects = ManifestYaml.LoadStrict(await KustomizeAsync("config/default"));
        var crds = objects.OfType<V1CustomResourceDefinition>().ToList();
        Assert.Equal(["redisacls.aclop.dev", "redisaclservers.aclop.dev", "redisaclusers.aclop.dev"], crds.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        // The same CRDs as crds/ (kustomize only re-serialises them).
        var canonical = CrdFiles.Load().ToDictionary(c => c.Metadata.Name, c => KubernetesJson.Serialize(c));
        Assert.All(crds, c => Assert.Equal(canonical[c.Metadata.Name], KubernetesJson.Serialize(c)));

        var roles = objects.OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name);
        Assert.Equal(["aclop-redisacl-editor", "aclop-redisacl-viewer"], roles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("true", roles["aclop-redisacl-editor"].Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-edit"]);
        Assert.Equal("true", roles["aclop-redisacl-viewer"].Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-view"]);
        // RedisAclServer runs an image with a ServiceAccount: it is never aggregated to tenants (O3).
        Assert.DoesNotContain(roles.Values.SelectMany(r => r.Rules).SelectMany(r => r.Resources), r => r.StartsWith("redisaclservers", StringComparison.Ordinal));
        Assert.Equal(5, objects.Count);
    }

    [Fact]
    public async Task Samples_build_into_the_sample_objects()
    {
        var objects = ManifestYaml.LoadStrict(await KustomizeAsync("config/samples"));
        Assert.Equal(
            ["RedisAcl/app-readwrite", "RedisAclServer/local", "RedisAclUser/alice", "RedisAclUser/reporting", "Secret/sample-passwords"],
            objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal));
        Assert.Equal("embedded", objects.OfType<RedisAclServer>().Single().Spec.Backend?.Type);
    }

    [Fact]
    public async Task Every_kustomization_lists_every_yaml_file_of_its_folder()
    {
        foreach (var folder in new[] { "config/crd", "config/rbac", "config/samples" })
        {
            var kustomization = await File.ReadAllTextAsync(Repository.PathOf(folder + "/kustomization.yaml"), TestContext.Current.CancellationToken);
            var files = Directory.GetFiles(Repository.PathOf(folder), "*.yaml", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Repository.PathOf(folder), f).Replace('\\', '/'))
                .Where(f => f != "kustomization.yaml");
            Assert.All(files, f => Assert.Contains("- " + f + "\n", kustomization, StringComparison.Ordinal));
        }

        _ = await KustomizeAsync("config/crd");
    }
}
