using System.Text;
using AclOperator.Api.Manifests;

namespace AclOperator.Cli;

/// <summary>
/// The manifest files named on the command line, read into one <see cref="ManifestSet"/>. A folder stands for its
/// <c>*.yaml</c>/<c>*.yml</c> files (not hidden, not its sub-folders, sorted), as in the server's local mode; a file is
/// read whatever its name.
/// </summary>
internal sealed class ManifestInputs
{
    private ManifestInputs(ManifestSet set, IReadOnlyList<string> files, IReadOnlyList<string> ignored, IReadOnlyList<string> failures)
    {
        Set = set;
        Files = files;
        Ignored = ignored;
        Failures = failures;
    }

    public ManifestSet Set { get; }

    /// <summary>The files read, as shown in messages.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Documents of other kinds, as <c>file: apiVersion kind name</c>.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Paths that could not be read (missing, unreadable), as <c>path: reason</c>.</summary>
    public IReadOnlyList<string> Failures { get; }

    public static ManifestInputs Read(IEnumerable<string> paths, AclctlConsole console)
    {
        var set = new ManifestSet();
        var files = new List<string>();
        var ignored = new List<string>();
        var failures = new List<string>();
        foreach (var path in paths)
        {
            var full = console.FullPath(path);
            if (Directory.Exists(full))
            {
                foreach (var file in Directory.EnumerateFiles(full)
                             .Where(f => (f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)) &&
                                         !Path.GetFileName(f).StartsWith('.'))
                             .Order(StringComparer.Ordinal))
                {
                    ReadFile(Path.Join(path, Path.GetFileName(file)), file);
                }
            }
            else if (File.Exists(full))
            {
                ReadFile(path, full);
            }
            else
            {
                failures.Add($"{path}: No such file or directory");
            }
        }

        return new ManifestInputs(set, files, ignored, failures);

        void ReadFile(string display, string full)
        {
            string text;
            try
            {
                text = File.ReadAllText(full, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{display}: {(e is UnauthorizedAccessException ? "Permission denied" : e.Message)}");
                return;
            }

            var result = ManifestReader.Read(text, display);
            set.Add(result);
            files.Add(display);
            ignored.AddRange(result.Ignored.Select(i => $"{display}: {i}"));
        }
    }
}
