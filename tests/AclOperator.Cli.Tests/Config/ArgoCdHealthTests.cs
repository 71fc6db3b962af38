using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AclOperator.Api.V1Alpha1;
using AclOperator.Cli.Tests.Support;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace AclOperator.Cli.Tests.Config;

/// <summary>
/// config/argocd's health scripts (O12) run for real: each sample object, built with the CR types and serialised as the
/// API server returns it, becomes the Lua table <c>obj</c> (Argo CD converts the object's JSON the same way), the script
/// runs under lua5.4 — and under lua5.1 too when installed, the dialect of Argo CD's gopher-lua — and its <c>hs</c> is
/// compared exactly.
/// </summary>
public sealed class ArgoCdHealthTests
{
    private static readonly string[] KindNames = [RedisAclServer.KindName, RedisAcl.KindName, RedisAclUser.KindName];

    public static readonly TheoryData<string> Kinds = new(KindNames);

    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    /// <summary>One script for the three kinds (it names the kind from the object).</summary>
    private static string Script => Repository.PathOf("config/argocd/health.lua");

    private static List<string> Interpreters()
    {
        var found = new[] { "lua5.4", "lua5.1" }.Select(Which).Where(p => p is not null).Cast<string>().ToList();
        Assert.SkipWhen(Which("lua5.4") is null, "lua5.4 is not installed (Debian package lua5.4; .ci/test installs it): the Argo CD health scripts cannot be run");
        return found;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs the kind's script on <paramref name="obj"/> with every interpreter; all must agree.</summary>
    private static async Task<(string Status, string Message)> HealthAsync(string kind, IKubernetesObject<V1ObjectMeta> obj)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(obj))!;
        var results = new List<(string, string)>();
        foreach (var lua in Interpreters())
        {
            results.Add(await RunAsync(lua, Script, json));
        }
        Assert.All(results, r => Assert.Equal(results[0], r));
        return results[0];
    }

    private static async Task<(string Status, string Message)> RunAsync(string lua, string script, JsonNode obj)
    {
        // As Argo CD does: `obj` is a global, the script's chunk returns hs.
        var harness = $$"""
            obj = {{LuaLiteral.Of(obj)}}
            local hs = dofile({{LuaLiteral.String(script)}})
            io.write(tostring(hs.status), "\n", tostring(hs.message))
            """;
        var psi = new ProcessStartInfo(lua) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(harness);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{lua} {script}: {await stderr}");
        var lines = (await stdout).Split('\n', 2);
        return (lines[0], lines[1]);
    }

    private static IKubernetesObject<V1ObjectMeta> Object(string kind, long generation, long? observedGeneration, params V1Condition[]? conditions)
    {
        var meta = new V1ObjectMeta { Name = "main", NamespaceProperty = "team-a", Generation = generation, Uid = "0f1c0d3e-0000-4000-8000-000000000001" };
        var list = conditions is { Length: > 0 } ? conditions.ToList() : null;
        return kind switch
        {
            RedisAclServer.KindName => new RedisAclServer
            {
                ApiVersion = AclopApi.ApiVersion, Kind = kind, Metadata = meta, Spec = new RedisAclServerSpec(),
                Status = conditions is null ? null : new RedisAclServerStatus { ObservedGeneration = observedGeneration, Conditions = list, Replicas = 2, EnforcedReplicas = 1 },
            },
            RedisAcl.KindName => new RedisAcl
            {
                ApiVersion = AclopApi.ApiVersion, Kind = kind, Metadata = meta, Spec = new RedisAclSpec { Rules = ["+@read"] },
                Status = conditions is null ? null : new RedisAclStatus { ObservedGeneration = observedGeneration, Conditions = list, UserCount = 1 },
            },
            RedisAclUser.KindName => new RedisAclUser
            {
                ApiVersion = AclopApi.ApiVersion, Kind = kind, Metadata = meta,
                Spec = new RedisAclUserSpec { ServerRef = new ServerRef { Name = "main" }, Rules = ["+@read"] },
                Status = conditions is null ? null : new RedisAclUserStatus { ObservedGeneration = observedGeneration, Conditions = list },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static V1Condition Condition(string type, bool? status, string reason, string message, long generation = 3) => new()
    {
        Type = type,
        Status = status switch { true => "True", false => "False", null => "Unknown" },
        Reason = reason,
        Message = message,
        ObservedGeneration = generation,
        LastTransitionTime = Now,
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Without_a_status_it_is_progressing(string kind)
    {
        Assert.Equal(("Progressing", $"Waiting for the operator to report the status of this {kind}"), await HealthAsync(kind, Object(kind, 1, null, null)));
        Assert.Equal(("Progressing", $"Waiting for the operator to report the status of this {kind}"), await HealthAsync(kind, Object(kind, 1, 1)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Ready_for_the_current_generation_is_healthy_with_the_ready_message(string kind)
    {
        var obj = Object(kind, 3, 3,
            Condition("Valid", true, "Compiled", "the rules compile"),
            Condition("Enforced", true, "Enforced", "2/2 running pods enforce revision 7"),
            Condition("Ready", true, "Enforced", "2/2 running pods enforce revision 7"));
        Assert.Equal(("Healthy", "2/2 running pods enforce revision 7"), await HealthAsync(kind, obj));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_status_behind_the_spec_is_progressing_whatever_its_conditions_say(string kind)
    {
        var ready = Object(kind, 4, 3, Condition("Ready", true, "Enforced", "2/2 running pods enforce revision 7"));
        Assert.Equal(("Progressing", "Waiting for the operator to observe generation 4"), await HealthAsync(kind, ready));
        // A rejected old spec says nothing about the new one.
        var stalled = Object(kind, 4, 3, Condition("Stalled", true, "InvalidRules", "old error"), Condition("Valid", false, "InvalidRules", "old error"));
        Assert.Equal(("Progressing", "Waiting for the operator to observe generation 4"), await HealthAsync(kind, stalled));
        var unobserved = Object(kind, 4, null, Condition("Ready", true, "Enforced", "2/2 running pods enforce revision 7"));
        Assert.Equal(("Progressing", "Waiting for the operator to observe generation 4"), await HealthAsync(kind, unobserved));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Stalled_is_degraded_with_its_message_before_anything_else(string kind)
    {
        var obj = Object(kind, 3, 3,
            Condition("Valid", false, "InvalidRules", "Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"),
            Condition("Reconciling", true, "Publishing", "publishing revision 8"),
            Condition("Ready", false, "ServerNotFound", "RedisAclServer team-a/main does not exist"),
            Condition("Stalled", true, "ServerNotFound", "RedisAclServer team-a/main does not exist"));
        Assert.Equal(("Degraded", "RedisAclServer team-a/main does not exist"), await HealthAsync(kind, obj));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Valid_false_is_degraded_with_redis_error(string kind)
    {
        var obj = Object(kind, 3, 3,
            Condition("Stalled", false, "Compiled", ""),
            Condition("Valid", false, "InvalidRules", "rules[0]: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"),
            Condition("Reconciling", true, "Publishing", "publishing revision 8"),
            Condition("Ready", false, "InvalidRules", "rules[0]: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"));
        Assert.Equal(("Degraded", "rules[0]: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"), await HealthAsync(kind, obj));
        // Without a message the reason says why.
        var bare = Object(kind, 3, 3, Condition("Valid", false, "UsernameConflict", ""));
        Assert.Equal(("Degraded", "UsernameConflict"), await HealthAsync(kind, bare));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Reconciling_is_progressing_with_its_message(string kind)
    {
        var obj = Object(kind, 3, 3,
            Condition("Valid", true, "Compiled", "the rules compile"),
            Condition("Reconciling", true, "NotEnforced", "1/2 running pods enforce revision 8"),
            Condition("Ready", true, "Enforced", "2/2 running pods enforce revision 7"));
        Assert.Equal(("Progressing", "1/2 running pods enforce revision 8"), await HealthAsync(kind, obj));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Not_ready_without_a_stall_is_progressing_with_the_ready_message(string kind)
    {
        var obj = Object(kind, 3, 3,
            Condition("Valid", true, "Compiled", "the rules compile"),
            Condition("Reconciling", false, "Enforced", ""),
            Condition("Stalled", false, "Enforced", ""),
            Condition("Ready", false, "NotEnforced", "0/2 running pods enforce revision 8"));
        Assert.Equal(("Progressing", "0/2 running pods enforce revision 8"), await HealthAsync(kind, obj));
        var unknown = Object(kind, 3, 3, Condition("Ready", null, "", ""));
        Assert.Equal(("Progressing", "Not ready"), await HealthAsync(kind, unknown));
        var none = Object(kind, 3, 3, Condition("Valid", true, "Compiled", "the rules compile"));
        Assert.Equal(("Progressing", "Waiting for the Ready condition"), await HealthAsync(kind, none));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Conditions_left_from_an_older_generation_are_ignored(string kind)
    {
        var staleStall = Object(kind, 3, 3,
            Condition("Stalled", true, "InvalidRules", "old error", generation: 2),
            Condition("Ready", true, "Enforced", "2/2 running pods enforce revision 9"));
        Assert.Equal(("Healthy", "2/2 running pods enforce revision 9"), await HealthAsync(kind, staleStall));
        var staleReady = Object(kind, 3, 3, Condition("Ready", true, "Enforced", "2/2 running pods enforce revision 7", generation: 2));
        Assert.Equal(("Progressing", "Waiting for the Ready condition"), await HealthAsync(kind, staleReady));
    }

    [Fact]
    public void The_argocd_cm_patch_embeds_exactly_the_scripts_under_argo_cds_keys()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.PathOf("config/argocd/argocd-cm-patch.yaml"))));
        var root = (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
        Assert.Equal("ConfigMap", root["kind"].ToString());
        Assert.Equal(("argocd-cm", "argocd"), (((YamlMappingNode)root["metadata"])["name"].ToString(), ((YamlMappingNode)root["metadata"])["namespace"].ToString()));
        var data = ((YamlMappingNode)root["data"]).Children.ToDictionary(kv => kv.Key.ToString(), kv => ((YamlScalarNode)kv.Value).Value);
        Assert.Equal(
            ["resource.customizations.health.aclop.dev_RedisAcl", "resource.customizations.health.aclop.dev_RedisAclServer", "resource.customizations.health.aclop.dev_RedisAclUser"],
            data.Keys.Order(StringComparer.Ordinal));
        foreach (var kind in KindNames)
        {
            Assert.Equal(File.ReadAllText(Script), data[$"resource.customizations.health.{AclopApi.Group}_{kind}"]);
        }
    }

    /// <summary>JSON as a Lua table constructor: objects keyed by string, arrays 1-based, null absent (as Argo CD's conversion).</summary>
    private static class LuaLiteral
    {
        public static string Of(JsonNode? node)
        {
            var sb = new StringBuilder();
            Write(sb, node);
            return sb.ToString();
        }

        private static void Write(StringBuilder sb, JsonNode? node)
        {
            switch (node)
            {
                case null:
                    sb.Append("nil");
                    break;
                case JsonObject obj:
                    sb.Append('{');
                    foreach (var (key, value) in obj)
                    {
                        if (value is null)
                        {
                            continue;
                        }
                        sb.Append('[').Append(String(key)).Append("]=");
                        Write(sb, value);
                        sb.Append(',');
                    }
                    sb.Append('}');
                    break;
                case JsonArray array:
                    sb.Append('{');
                    foreach (var item in array)
                    {
                        Write(sb, item);
                        sb.Append(',');
                    }
                    sb.Append('}');
                    break;
                case JsonValue value when value.TryGetValue<string>(out var s):
                    sb.Append(String(s));
                    break;
                case JsonValue value when value.TryGetValue<bool>(out var b):
                    sb.Append(b ? "true" : "false");
                    break;
                case JsonValue value:
                    // Numbers keep their JSON text (integers stay integers in Lua 5.4).
                    sb.Append(value.ToJsonString());
                    break;
            }
        }

        /// <summary>A quoted Lua string with every non-printable or non-ASCII byte as a decimal escape.</summary>
        public static string String(string text)
        {
            var sb = new StringBuilder("\"");
            foreach (var b in Encoding.UTF8.GetBytes(text))
            {
                if (b is >= 0x20 and < 0x7f && b != '"' && b != '\\')
                {
                    sb.Append((char)b);
                }
                else
                {
                    sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                }
            }
            return sb.Append('"').ToString();
        }
    }
}
