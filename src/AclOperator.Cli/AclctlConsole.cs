namespace AclOperator.Cli;

/// <summary>What a command reads and writes besides files: the standard streams, the environment, the working directory.</summary>
/// <param name="Input">Standard input as bytes (passwords are bytes).</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="IsInputRedirected">False when standard input is a terminal (then <c>hash</c> reads without echo).</param>
/// <param name="Environment">Environment lookup (<c>ACLOP_SECRET_*</c>).</param>
/// <param name="CurrentDirectory">Relative paths are resolved against it; messages show paths as given.</param>
public sealed record AclctlConsole(
    Stream Input,
    TextWriter Out,
    TextWriter Error,
    bool IsInputRedirected,
    Func<string, string?> Environment,
    string CurrentDirectory)
{
    /// <summary>The process's own streams and environment.</summary>
    public static AclctlConsole System => new(
        Console.OpenStandardInput(),
        Console.Out,
        Console.Error,
        Console.IsInputRedirected,
        global::System.Environment.GetEnvironmentVariable,
        global::System.Environment.CurrentDirectory);

    /// <summary>An absolute path for <paramref name="path"/> as the user wrote it.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, CurrentDirectory);
}
