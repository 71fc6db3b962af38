using System.Globalization;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Discovery;

/// <summary>Legacy discovery documents: /version, /api, /apis, /apis/&lt;group&gt;, and the APIResourceLists.</summary>
internal static class DiscoveryDocuments
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-fakekube",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2024-12-11T00:00:00Z",
        ["goVersion"] = "go1.23.3",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary>Version priority as kube-aware sorting orders versions (GA, then beta, then alpha; higher first).</summary>
    public static int Priority(string version)
    {
        var m = System.Text.RegularExpressions.Regex.Match(version, "^v(\\d+)(?:(alpha|beta)(\\d+))?$");
        if (!m.Success)
        {
            return -1;
        }
        var major = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        var level = m.Groups[2].Value switch { "alpha" => 0, "beta" => 1, _ => 2 };
        return (level * 1_000_000) + (major * 1000) + minor;
    }

    private static JsonObject Group(string name, IEnumerable<string> versions)
    {
        var ordered = versions.Distinct().OrderByDescending(Priority).ToList();
        var arr = new JsonArray();
        foreach (var v in ordered)
        {
            arr.Add(new JsonObject { ["groupVersion"] = name + "/" + v, ["version"] = v });
        }
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = arr,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = name + "/" + ordered[0], ["version"] = ordered[0] },
        };
    }

    public static JsonObject GroupList(ResourceCatalog catalog)
    {
        var groups = new JsonArray();
        foreach (var g in catalog.All().Where(t => t.Group.Length > 0).GroupBy(t => t.Group))
        {
            groups.Add(Group(g.Key, g.Select(t => t.Version)));
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject? ApiGroup(ResourceCatalog catalog, string group)
    {
        var versions = catalog.All().Where(t => t.Group == group).Select(t => t.Version).ToList();
        if (versions.Count == 0)
        {
            return null;
        }
        var g = Group(group, versions);
        g["kind"] = "APIGroup";
        g["apiVersion"] = "v1";
        return g;
    }

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All().Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }
        var resources = new JsonArray();
        foreach (var t in types.OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var r = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray(t.Verbs.Select(v => (JsonNode?)v).ToArray()),
            };
            if (t.ShortNames.Count > 0)
            {
                r["shortNames"] = new JsonArray(t.ShortNames.Select(v => (JsonNode?)v).ToArray());
            }
            if (t.Categories.Count > 0)
            {
                r["categories"] = new JsonArray(t.Categories.Select(v => (JsonNode?)v).ToArray());
            }
            resources.Add(r);
            if (t.HasStatus)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = t.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
            if (t.Kind == "Namespace" && t.Group.Length == 0)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = "namespaces/finalize",
                    ["singularName"] = "",
                    ["namespaced"] = false,
                    ["kind"] = "Namespace",
                    ["verbs"] = new JsonArray("update"),
                });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = resources,
        };
    }
}
