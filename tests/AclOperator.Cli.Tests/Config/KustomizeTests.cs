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
    public async Task Default_builds_the_crds_the_roles_and_the_manager()
    {
        var objects = ManifestYaml.LoadStrict(await KustomizeAsync("config/default"));
        Assert.Equal(
        [
            "ClusterRole//aclop-operator", "ClusterRole//aclop-redisacl-editor", "ClusterRole//aclop-redisacl-viewer",
            "ClusterRoleBinding//aclop-operator",
            "CustomResourceDefinition//redisacls.aclop.dev", "CustomResourceDefinition//redisaclservers.aclop.dev",
            "CustomResourceDefinition//redisaclusers.aclop.dev",
            "Deployment/aclop-system/aclop-operator", "Namespace//aclop-system", "ServiceAccount/aclop-system/aclop-operator",
        ], objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => $"{o.Kind}/{o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order(StringComparer.Ordinal));

        var crds = objects.OfType<V1CustomResourceDefinition>().ToList();
        // The same CRDs as crds/ (kustomize only re-serialises them).
        var canonical = CrdFiles.Load().ToDictionary(c => c.Metadata.Name, c => KubernetesJson.Serialize(c));
        Assert.All(crds, c => Assert.Equal(canonical[c.Metadata.Name], KubernetesJson.Serialize(c)));

        var roles = objects.OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name);
        Assert.Equal("true", roles["aclop-redisacl-editor"].Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-edit"]);
        Assert.Equal("true", roles["aclop-redisacl-viewer"].Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-view"]);
        // RedisAclServer runs an image with a ServiceAccount: it is never aggregated to tenants (O3).
        Assert.DoesNotContain(roles.Values.Where(r => r.Metadata.Labels.Keys.Any(k => k.StartsWith("rbac.authorization.k8s.io/aggregate-to-", StringComparison.Ordinal)))
            .SelectMany(r => r.Rules).SelectMany(r => r.Resources), r => r.StartsWith("redisaclservers", StringComparison.Ordinal));
        // The operator's own role is aggregated nowhere.
        Assert.DoesNotContain(roles["aclop-operator"].Metadata.Labels.Keys, k => k.StartsWith("rbac.authorization.k8s.io/aggregate-to-", StringComparison.Ordinal));

        var binding = objects.OfType<V1ClusterRoleBinding>().Single();
        var account = objects.OfType<V1ServiceAccount>().Single();
        Assert.Equal(roles["aclop-operator"].Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal((account.Metadata.Name, account.Metadata.NamespaceProperty), (subject.Name, subject.NamespaceProperty));
        Assert.Equal("restricted", objects.OfType<V1Namespace>().Single().Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    [Fact]
    public async Task Namespaced_binds_the_operator_role_per_watched_namespace_and_only_namespace_reads_cluster_wide_O3()
    {
        var objects = ManifestYaml.LoadStrict(await KustomizeAsync("config/namespaced"));
        var names = objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => $"{o.Kind}/{o.Metadata.NamespaceProperty}/{o.Metadata.Name}").ToList();
        Assert.DoesNotContain("ClusterRoleBinding//aclop-operator", names);
        var bindings = objects.OfType<V1RoleBinding>().ToList();
        Assert.Equal(["aclop-system", "team-a", "team-b"], bindings.Select(b => b.Metadata.NamespaceProperty).Order(StringComparer.Ordinal));
        Assert.All(bindings, b =>
        {
            Assert.Equal(("ClusterRole", "aclop-operator"), (b.RoleRef.Kind, b.RoleRef.Name));
            var subject = Assert.Single(b.Subjects);
            Assert.Equal(("ServiceAccount", "aclop-operator", "aclop-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        });

        // The one cluster-wide grant: get namespaces.
        var clusterBinding = Assert.Single(objects.OfType<V1ClusterRoleBinding>());
        Assert.Equal("aclop-operator-namespaces", clusterBinding.RoleRef.Name);
        var rule = Assert.Single(objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "aclop-operator-namespaces").Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["namespaces"], rule.Resources);
        Assert.Equal(["get"], rule.Verbs);

        // The operator watches exactly the namespaces it is bound in (its own holds the leader Lease and events).
        var args = Assert.Single(objects.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers).Args;
        Assert.Equal("--namespaces=team-a,team-b", args[^1]);
    }

    [Fact]
    public async Task The_manager_runs_the_operator_image_with_leader_election_in_its_namespace_probes_and_a_restricted_context()
    {
        var deployment = ManifestYaml.LoadStrict(await KustomizeAsync("config/default")).OfType<V1Deployment>().Single();
        var pod = deployment.Spec.Template.Spec;
        Assert.Equal("aclop-operator", pod.ServiceAccountName);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels);
        var container = Assert.Single(pod.Containers);
        Assert.Equal("ghcr.io/aclop/aclop-operator:0.1.0", container.Image);
        Assert.Equal(
        [
            "--leader-elect=true", "--lease-name=aclop-operator", "--lease-namespace=$(POD_NAMESPACE)", "--identity=$(POD_NAME)",
            "--http-address=http://0.0.0.0:8081", "--Servers:OperatorNamespace=$(POD_NAMESPACE)",
        ], container.Args);
        // Every long switch is one the operator knows (or a --Section:Key of its configuration).
        Assert.All(container.Args, a => Assert.True(
            AclOperator.Operator.Hosting.OperatorHost.Switches.ContainsKey(a.Split('=')[0]) || a.Split('=')[0].Contains(':', StringComparison.Ordinal), a));
        Assert.Null(container.Command); // the image's entrypoint is aclop-operator
        var env = container.Env.ToDictionary(e => e.Name, e => e.ValueFrom?.FieldRef?.FieldPath);
        Assert.Equal(new Dictionary<string, string?> { ["POD_NAMESPACE"] = "metadata.namespace", ["POD_NAME"] = "metadata.name" }, env);

        var port = Assert.Single(container.Ports);
        Assert.Equal(("http", 8081, "TCP"), (port.Name, port.ContainerPort, port.Protocol));
        Assert.Equal(("/healthz", "http"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
        Assert.Equal(("/readyz", "http"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));

        Assert.Equal((true, 1654L), (pod.SecurityContext.RunAsNonRoot, pod.SecurityContext.RunAsUser));
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        var security = container.SecurityContext;
        Assert.Equal((false, true, true), (security.AllowPrivilegeEscalation, security.ReadOnlyRootFilesystem, security.RunAsNonRoot));
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Null(security.Capabilities.Add);
        Assert.Equal(("/tmp", "tmp"), (Assert.Single(container.VolumeMounts).MountPath, container.VolumeMounts[0].Name));
        Assert.NotNull(Assert.Single(pod.Volumes).EmptyDir);

        Assert.Equal("100m", container.Resources.Requests["cpu"].ToString());
        Assert.Equal("128Mi", container.Resources.Requests["memory"].ToString());
        Assert.Equal("512Mi", container.Resources.Limits["memory"].ToString());
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
        foreach (var folder in new[] { "config/crd", "config/rbac", "config/manager", "config/samples" })
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
