using System.Text.RegularExpressions;
using System.Xml.Linq;
using AclOperator.Cli.Tests.Support;
using AclOperator.Operator.Reconcilers;
using k8s.Models;

namespace AclOperator.Cli.Tests.Config;

/// <summary>
/// The root Dockerfile cannot be built here (no container engine), so it is checked as text: stages and targets, every
/// COPY source exists and survives .dockerignore, every project it restores or publishes exists, the restore layer
/// holds every project file the published projects reference, and each target runs its project's executable as
/// non-root with the ports the operator's manifests and the server's pods use.
/// </summary>
public sealed partial class DockerfileTests
{
    private sealed record Instruction(string Stage, string Keyword, string Arguments);

    private sealed record Stage(string Name, string From);

    private static (List<Stage> Stages, List<Instruction> Instructions) Parse()
    {
        var text = File.ReadAllText(Repository.PathOf("Dockerfile"));
        // Line continuations join (comments inside a continued instruction are dropped, as Docker does).
        var logical = new List<string>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            current += line;
            if (current.Trim().Length > 0)
            {
                logical.Add(current.Trim());
            }
            current = "";
        }

        var stages = new List<Stage>();
        var instructions = new List<Instruction>();
        foreach (var line in logical)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = line[..space].ToUpperInvariant();
            var args = line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var m = FromPattern().Match(args);
                Assert.True(m.Success, "FROM without a stage name: " + line);
                stages.Add(new Stage(m.Groups["name"].Value, m.Groups["image"].Value));
            }
            Assert.NotEmpty(stages);
            instructions.Add(new Instruction(stages[^1].Name, keyword, args));
        }
        return (stages, instructions);
    }

    [GeneratedRegex(@"^(?<image>\S+)\s+AS\s+(?<name>[a-z0-9-]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"dotnet\s+(?<verb>restore|publish|build)\s+(?<project>\S+)")]
    private static partial Regex DotnetPattern();

    [Fact]
    public void Stages_build_on_the_sdk_and_run_on_the_aspnet_runtime()
    {
        var (stages, _) = Parse();
        Assert.Equal(
        [
            "restore <- mcr.microsoft.com/dotnet/sdk:10.0", "source <- restore", "publish-server <- source", "publish-operator <- source",
            "operator <- mcr.microsoft.com/dotnet/aspnet:10.0", "server <- mcr.microsoft.com/dotnet/aspnet:10.0",
        ], stages.Select(s => $"{s.Name} <- {s.From}"));
    }

    [Fact]
    public void Every_copy_source_exists_and_is_in_the_build_context()
    {
        var (stages, instructions) = Parse();
        var ignore = DockerIgnore.Load(Repository.PathOf(".dockerignore"));
        var copies = instructions.Where(i => i.Keyword == "COPY").ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal));
            var sources = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1).ToList();
            Assert.NotEmpty(sources);
            if (from is not null)
            {
                // From an earlier stage of this file, never an image pulled by name.
                var stage = from["--from=".Length..];
                Assert.Contains(stage, stages.TakeWhile(s => s.Name != copy.Stage).Select(s => s.Name));
                continue;
            }
            foreach (var source in sources)
            {
                var path = Repository.PathOf(source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source} ({copy.Stage}): no such path in the repository");
                Assert.False(ignore.Excludes(source.TrimEnd('/')), $"COPY {source} ({copy.Stage}): excluded by .dockerignore");
            }
        }
    }

    [Fact]
    public void Dockerignore_lets_in_the_sources_and_keeps_out_build_output_tests_and_the_git_directory()
    {
        var ignore = DockerIgnore.Load(Repository.PathOf(".dockerignore"));
        Assert.All(["global.json", "Directory.Build.props", "Directory.Packages.props", "src/AclOperator.Acl/Commands/redis-commands.json",
            "src/AclOperator.Server/AclOperator.Server.csproj", "src/AclOperator.Operator/Program.cs"], p => Assert.False(ignore.Excludes(p), p));
        Assert.All([".git/HEAD", "tests/AclOperator.Cli.Tests/AclOperator.Cli.Tests.csproj", "benchmarks/README.md", "artifacts/test-results/x.xml",
            "src/AclOperator.Server/bin/Release/net10.0/aclop-server", "src/AclOperator.Api/obj/project.assets.json", "tests/cel/node_modules/x"],
            p => Assert.True(ignore.Excludes(p), p));
    }

    [Fact]
    public void The_restore_layer_holds_the_props_and_every_project_the_published_projects_reference()
    {
        var (_, instructions) = Parse();
        var restore = instructions.Where(i => i.Stage == "restore").ToList();
        var firstRestore = restore.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(firstRestore > 0, "the restore stage runs dotnet restore");
        var copiedBefore = restore.Take(firstRestore).Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1)).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["global.json", "Directory.Build.props", "Directory.Packages.props"], StringComparer.Ordinal), copiedBefore);
        // No source file in the cached layer: only project files and props.
        Assert.All(copiedBefore, c => Assert.True(c.EndsWith(".csproj", StringComparison.Ordinal) || c.EndsWith(".props", StringComparison.Ordinal) || c == "global.json", c));

        var published = DotnetCommands(instructions).Where(c => c.Verb == "publish").Select(c => c.Project).ToList();
        var restored = DotnetCommands(instructions).Where(c => c.Verb == "restore").Select(c => c.Project).ToList();
        Assert.Equal(published.Order(StringComparer.Ordinal), restored.Order(StringComparer.Ordinal));
        var closure = published.SelectMany(ProjectClosure).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(
            ["src/AclOperator.Acl/AclOperator.Acl.csproj", "src/AclOperator.Api/AclOperator.Api.csproj",
             "src/AclOperator.Operator/AclOperator.Operator.csproj", "src/AclOperator.Server/AclOperator.Server.csproj"],
            closure.Order(StringComparer.Ordinal));
        Assert.Equal(closure.Order(StringComparer.Ordinal), copiedBefore.Where(c => c.EndsWith(".csproj", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("server", "publish-server", "src/AclOperator.Server/AclOperator.Server.csproj", "6379 6380 8080")]
    [InlineData("operator", "publish-operator", "src/AclOperator.Operator/AclOperator.Operator.csproj", "8081")]
    public void Each_target_runs_its_projects_executable_as_non_root_with_its_ports(string target, string publishStage, string project, string ports)
    {
        var (_, instructions) = Parse();
        var publish = Assert.Single(DotnetCommands(instructions.Where(i => i.Stage == publishStage)));
        Assert.Equal(("publish", project), (publish.Verb, publish.Project));
        Assert.True(File.Exists(Repository.PathOf(project)), project);
        var output = Regex.Match(instructions.Single(i => i.Stage == publishStage && i.Keyword == "RUN").Arguments, @"-o\s+(\S+)").Groups[1].Value;
        Assert.Equal("/out", output);

        var stage = instructions.Where(i => i.Stage == target).ToList();
        Assert.Equal($"--from={publishStage} /out/ /app/", Assert.Single(stage, i => i.Keyword == "COPY").Arguments);
        Assert.Equal("1654:1654", Assert.Single(stage, i => i.Keyword == "USER").Arguments);
        Assert.Equal(ports, Assert.Single(stage, i => i.Keyword == "EXPOSE").Arguments);
        var assemblyName = XDocument.Load(Repository.PathOf(project)).Descendants("AssemblyName").Single().Value;
        Assert.Equal($"[\"/app/{assemblyName}\"]", Assert.Single(stage, i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Equal("aclop-" + target, assemblyName);
    }

    [Fact]
    public void The_images_match_the_manager_deployment_and_the_operators_default_server_image()
    {
        var (_, instructions) = Parse();
        var deployment = Assert.IsType<V1Deployment>(Assert.Single(ManifestYaml.LoadStrict(File.ReadAllText(Repository.PathOf("config/manager/manager.yaml")))));
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal([.. instructions.Single(i => i.Stage == "operator" && i.Keyword == "EXPOSE").Arguments.Split(' ').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))],
            container.Ports.Select(p => p.ContainerPort));
        var uid = long.Parse(instructions.Single(i => i.Stage == "operator" && i.Keyword == "USER").Arguments.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(uid, deployment.Spec.Template.Spec.SecurityContext.RunAsUser);

        // The tags the README builds are the ones the manifests run.
        var readme = File.ReadAllText(Repository.PathOf("README.md"));
        Assert.Contains($"docker build --target operator -t {container.Image} .", readme, StringComparison.Ordinal);
        Assert.Contains($"docker build --target server -t {new ServerReconcilerOptions().DefaultImage} .", readme, StringComparison.Ordinal);
    }

    private static IEnumerable<(string Verb, string Project)> DotnetCommands(IEnumerable<Instruction> instructions) =>
        instructions.Where(i => i.Keyword == "RUN")
            .SelectMany(i => DotnetPattern().Matches(i.Arguments))
            .Select(m => (m.Groups["verb"].Value, m.Groups["project"].Value));

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }
            var full = Repository.PathOf(next);
            Assert.True(File.Exists(full), next);
            foreach (var reference in XDocument.Load(full).Descendants("ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, reference.Attribute("Include")!.Value));
                pending.Push(Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'));
            }
        }
        return seen;
    }

    /// <summary>
    /// .dockerignore as Docker reads it (moby/patternmatcher): patterns relative to the context root, <c>*</c> within
    /// one path segment, <c>**</c> across segments, <c>!</c> re-includes, the last matching line wins, and a pattern
    /// matching a directory matches everything below it.
    /// </summary>
    private sealed class DockerIgnore
    {
        private readonly List<(Regex Pattern, bool Exclude)> _rules = [];

        public static DockerIgnore Load(string path)
        {
            var ignore = new DockerIgnore();
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                var exclude = !line.StartsWith('!');
                var pattern = (exclude ? line : line[1..]).Trim().Trim('/');
                var regex = "^" + Regex.Escape(pattern).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
                    .Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal)
                    .Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$";
                ignore._rules.Add((new Regex(regex, RegexOptions.CultureInvariant), exclude));
            }
            return ignore;
        }

        public bool Excludes(string relativePath)
        {
            var segments = relativePath.Split('/');
            var excluded = false;
            foreach (var (pattern, exclude) in _rules)
            {
                // The path itself or one of its parent directories.
                for (var n = 1; n <= segments.Length; n++)
                {
                    if (pattern.IsMatch(string.Join('/', segments.Take(n))))
                    {
                        excluded = exclude;
                        break;
                    }
                }
            }
            return excluded;
        }
    }
}
