using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AclOperator.Cli.Tests.Support;

/// <summary>One evaluation of one x-kubernetes-validations rule on one value.</summary>
internal sealed record CelOutcome(string Id, string Path, string Rule, string? Message, string Outcome, string? Error);

/// <summary>
/// Evaluates the CRDs' CEL rules with @bufbuild/cel (a CEL implementation that passes the cel-spec conformance suite),
/// run by node on tests/cel/evaluate.mjs, which binds <c>self</c> as the Kubernetes API server does. .ci/test installs
/// it with <c>npm ci --prefix tests/cel</c>; where node or the package is missing the tests skip, saying so.
/// </summary>
internal static class CelEvaluator
{
    private static readonly string Script = Repository.PathOf("tests/cel/evaluate.mjs");

    /// <summary>Why CEL cannot be evaluated here, or null when it can.</summary>
    public static string? Unavailable { get; } = FindUnavailable();

    private static string? FindUnavailable()
    {
        if (Which("node") is null)
        {
            return "node (Node.js) is not installed: the CEL rules cannot be evaluated (install nodejs, then `npm ci --prefix tests/cel`)";
        }

        return Directory.Exists(Repository.PathOf("tests/cel/node_modules/@bufbuild/cel"))
            ? null
            : "@bufbuild/cel is not installed: run `npm ci --prefix tests/cel` (.ci/test does)";
    }

    public static async Task<IReadOnlyList<CelOutcome>> EvaluateAsync(JsonObject schemas, JsonArray objects)
    {
        var input = new JsonObject { ["schemas"] = schemas, ["objects"] = objects }.ToJsonString();
        var psi = new ProcessStartInfo(Which("node")!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.PathOf("tests/cel"),
        };
        psi.ArgumentList.Add(Script);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"evaluate.mjs exited with {process.ExitCode}: {await stderr}");
        }

        var results = JsonNode.Parse(await stdout)!["results"]!.AsArray();
        return results.Select(r => new CelOutcome(
            (string)r!["id"]!, (string)r["path"]!, (string)r["rule"]!, (string?)r["message"], (string)r["outcome"]!, (string?)r["error"])).ToList();
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => d.Length > 0)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
