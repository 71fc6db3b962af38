using AclOperator.Acl;
using AclOperator.Acl.AclFile;
using AclOperator.Acl.Users;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.AclRuntime;

/// <summary>
/// The Redis-compatible <c>aclfile</c> source: ACL LOAD reads the file all-or-nothing with Redis's errors; ACL SAVE
/// writes <c>&lt;file&gt;.tmp-&lt;pid&gt;-&lt;ms&gt;</c>, fsyncs it and renames it over the file (atomic replace).
/// </summary>
public sealed partial class AclFileSource : IAclSource
{
    public const string SaveError = "There was an error trying to save the ACLs. Please check the server logs for more information";

    private readonly string _path;
    private readonly string _fullPath;
    private readonly ILogger _logger;

    /// <param name="path">The path as configured (used verbatim in error texts, like Redis).</param>
    /// <param name="baseDirectory">The <c>dir</c> directive, for relative paths.</param>
    /// <param name="logger">Where save failures are explained.</param>
    public AclFileSource(string path, string baseDirectory, ILogger logger)
    {
        _path = path;
        _fullPath = Path.GetFullPath(path, baseDirectory);
        _logger = logger;
    }

    public string Description => "aclfile " + _path;

    public async Task<AclSourceResult> LoadAsync(AclOptions options, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(_fullPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new AclSourceResult(null, AclFileReader.OpenError(_path, StrError(e)));
        }

        var r = AclFileReader.Read(content, _path, options);
        return new AclSourceResult(r.Table, r.ErrorMessage);
    }

    public async Task<string?> SaveAsync(AclUserTable table, CancellationToken cancellationToken)
    {
        var tmp = $"{_fullPath}.tmp-{Environment.ProcessId}-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
        try
        {
            var bytes = AclFileWriter.Render(table);
            var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
            await using (fs.ConfigureAwait(false))
            {
                await fs.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, _fullPath, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(_logger, tmp, e.Message);
            try
            {
                File.Delete(tmp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The temp file may not exist; nothing else to do.
            }

            return SaveError;
        }
    }

    /// <summary>The C library's strerror text for the usual I/O failures.</summary>
    internal static string StrError(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ when e.HResult == 21 || e.Message.Contains("directory", StringComparison.OrdinalIgnoreCase) => "Is a directory",
        _ => e.Message,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opening temp ACL file for ACL SAVE: {TempFile}: {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, string tempFile, string reason);
}
