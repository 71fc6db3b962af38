using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using AclOperator.Acl;
using AclOperator.Acl.Users;
using AclOperator.Api.Manifests;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.AclRuntime;

/// <summary>
/// Local mode (<c>manifests &lt;dir&gt;</c>): the ACL is compiled from the RedisAclUser, RedisAcl and RedisAclServer
/// files of a folder (every <c>*.yaml</c>/<c>*.yml</c>, multi-document; Secret manifests only resolve secretKeyRefs).
/// Loading is ACL LOAD: all-or-nothing, and any YAML, schema or rule error keeps the previous ACL and is reported as
/// <c>file:line: message</c>. Once <see cref="StartWatching"/> runs, changes are applied through the same
/// <see cref="AclManager.LoadAsync"/> a client's ACL LOAD uses: a file watcher (debounced) and a periodic poll of the
/// content hash (for file systems without notifications, and Kubernetes volume symlink swaps).
/// </summary>
public sealed partial class ManifestsAclSource : IAclSource, IAsyncDisposable
{
    /// <summary>ACL SAVE's error text (after <c>ERR </c>) in local mode.</summary>
    public static string SaveError(string folder) =>
        $"The ACL is managed by the manifests folder '{folder}': edit the RedisAclUser files there instead of using ACL SAVE (users created with ACL SETUSER are lost at the next reload)";

    private static readonly byte[] ContentKey = RandomNumberGenerator.GetBytes(32);

    private readonly string _path;
    private readonly string _fullPath;
    private readonly ILogger _logger;
    private readonly Func<string, string?> _environment;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _debounce;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private FileSystemWatcher? _watcher;
    private Task? _watchLoop;
    private AclManager? _acl;
    private AclUserTable? _lastLoaded;
    private volatile string? _lastContentHash;
    private long _revision;

    /// <param name="path">The folder as configured (used verbatim in messages, like Redis's aclfile path).</param>
    /// <param name="baseDirectory">The <c>dir</c> directive, for a relative path.</param>
    /// <param name="logger">Progress, errors and warnings; never a password or a hash.</param>
    /// <param name="environment">Environment lookup for <c>ACLOP_SECRET_*</c> (tests pass their own).</param>
    /// <param name="pollInterval">How often the content hash is compared (default 2 s).</param>
    /// <param name="debounce">Quiet time after a file event before reloading (default 200 ms).</param>
    public ManifestsAclSource(string path, string baseDirectory, ILogger logger, Func<string, string?>? environment = null, TimeSpan? pollInterval = null, TimeSpan? debounce = null)
    {
        _path = path;
        _fullPath = Path.GetFullPath(path, baseDirectory);
        _logger = logger;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(2);
        _debounce = debounce ?? TimeSpan.FromMilliseconds(200);
    }

    public string Description => "manifests " + _path;

    /// <summary>Successful loads so far (the revision in the logs).</summary>
    public long Revision => Interlocked.Read(ref _revision);

    public async Task<AclSourceResult> LoadAsync(AclOptions options, CancellationToken cancellationToken)
    {
        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Load(options);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    public Task<string?> SaveAsync(AclUserTable table, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(SaveError(_path));

    /// <summary>
    /// Starts hot reload into <paramref name="acl"/> (after the initial load): changes go through ACL LOAD's code
    /// path, so connections of changed or deleted users are handled exactly as ACL LOAD handles them.
    /// </summary>
    public void StartWatching(AclManager acl)
    {
        ArgumentNullException.ThrowIfNull(acl);
        _acl = acl;
        try
        {
            var watcher = new FileSystemWatcher(_fullPath)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Signal();
            watcher.Created += (_, _) => Signal();
            watcher.Deleted += (_, _) => Signal();
            watcher.Renamed += (_, _) => Signal();
            watcher.Error += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // inotify limits and some volumes refuse watches: the poll still sees every change.
            LogWatcherUnavailable(_logger, _path, e.Message);
        }

        LogWatching(_logger, _path, _pollInterval.TotalSeconds);
        _watchLoop = Task.Run(() => WatchLoopAsync(acl, _stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watchLoop is not null)
        {
            try
            {
                await _watchLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while loading.
            }
        }

        _stop.Dispose();
        _loadLock.Dispose();
    }

    private void Signal() => _changes.Writer.TryWrite(true);

    private async Task WatchLoopAsync(AclManager acl, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await WaitForChangeAsync(_pollInterval, ct).ConfigureAwait(false))
            {
                // Editors and `kubectl cp` write in several steps: reload once things are quiet.
                while (await WaitForChangeAsync(_debounce, ct).ConfigureAwait(false))
                {
                }
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            string? hash = TryContentHash();
            if (hash is null || hash == _lastContentHash)
            {
                continue;
            }

            try
            {
                // Errors were logged by Load with file and line; the previous ACL stays.
                _ = await acl.LoadAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await _changes.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private AclSourceResult Load(AclOptions options)
    {
        List<(string Display, byte[] Content)> files;
        try
        {
            files = ReadFolder(out string hash);
            _lastContentHash = hash;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Remembered like content, so the poll reports a missing folder once, not every round.
            _lastContentHash = UnreadableMarker(e);
            var error = $"Error loading ACLs, opening folder '{_path}': {AclFileSource.StrError(e)}";
            LogLoadError(_logger, error);
            return new AclSourceResult(null, error);
        }

        var set = new ManifestSet();
        foreach (var (display, content) in files)
        {
            var result = ManifestReader.Read(Encoding.UTF8.GetString(content), display);
            set.Add(result);
            foreach (var skipped in result.Ignored)
            {
                LogIgnored(_logger, display, skipped);
            }
        }

        var (errors, compiled) = set.Compile(new LocalSecretResolver(set, _fullPath, _environment), options);

        if (errors.Count > 0 || compiled is null)
        {
            LogNotLoaded(_logger, _path, errors.Count);
            foreach (var e in errors)
            {
                LogLoadError(_logger, e);
            }

            return new AclSourceResult(null, string.Join("; ", errors).Replace('\r', ' ').Replace('\n', ' '));
        }

        WarnAboutRuntimeChanges(compiled.Table);
        _lastLoaded = compiled.Table;
        long revision = Interlocked.Increment(ref _revision);
        LogLoaded(_logger, compiled.Table.Count - 1, files.Count, _path, revision);
        return new AclSourceResult(compiled.Table, null);
    }

    /// <summary>Users that ACL SETUSER/DELUSER created or changed since the last load are replaced by the files.</summary>
    private void WarnAboutRuntimeChanges(AclUserTable next)
    {
        if (_acl is null || _lastLoaded is null)
        {
            return;
        }

        var changed = _acl.Current.Users.Users
            .Where(u => !ReferenceEquals(_lastLoaded.Find(u.Name), u))
            .Select(u => AclText.ToUtf8(u.Name))
            .ToList();
        if (changed.Count > 0)
        {
            var gone = changed.Where(n => next.Find(AclText.FromUtf8(n)) is null).ToList();
            LogRuntimeUsersReplaced(_logger, _path, string.Join(", ", changed), gone.Count);
        }
    }

    /// <summary>The YAML files (sorted by name) and the hash of everything a load reads from the folder.</summary>
    private List<(string Display, byte[] Content)> ReadFolder(out string hash)
    {
        // Keyed with a per-process random key and never logged: the folder may hold cleartext passwords, and a plain
        // hash of them would be an offline-guessing oracle (O4).
        using var sha = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, ContentKey);
        var files = new List<(string, byte[])>();
        foreach (var file in ManifestFiles())
        {
            var content = File.ReadAllBytes(file);
            var name = Path.GetFileName(file);
            files.Add((DisplayPath(name), content));
            AppendToHash(sha, name, content);
        }

        foreach (var (name, content) in SecretFiles())
        {
            AppendToHash(sha, name, content);
        }

        hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        return files;
    }

    private string? TryContentHash()
    {
        try
        {
            _ = ReadFolder(out string hash);
            return hash;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return UnreadableMarker(e);
        }
    }

    private static string UnreadableMarker(Exception e) => "unreadable:" + e.GetType().Name;

    private IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(_fullPath)
            .Where(f => (f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)) &&
                        !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    private IEnumerable<(string Name, byte[] Content)> SecretFiles()
    {
        var dir = Path.Combine(_fullPath, "secrets");
        if (!Directory.Exists(dir))
        {
            yield break;
        }

        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(f);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                content = Encoding.UTF8.GetBytes("unreadable:" + e.GetType().Name);
            }

            yield return (Path.GetRelativePath(_fullPath, f), content);
        }
    }

    private static void AppendToHash(IncrementalHash sha, string name, byte[] content)
    {
        sha.AppendData(Encoding.UTF8.GetBytes(name));
        sha.AppendData(BitConverter.GetBytes(content.LongLength));
        sha.AppendData(content);
    }

    private string DisplayPath(string fileName) =>
        _path.EndsWith('/') ? _path + fileName : _path + "/" + fileName;

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Users} users from {Files} files in {Folder} (revision {Revision})")]
    private static partial void LogLoaded(ILogger logger, int users, int files, string folder, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ACL errors in the manifests folder {Folder} ({Count}): no change to the previously active ACL rules was performed")]
    private static partial void LogNotLoaded(ILogger logger, string folder, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Error}")]
    private static partial void LogLoadError(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading {Folder} replaces users created or changed at runtime with ACL SETUSER/DELUSER: {Users} ({Dropped} of them are not in the files and are dropped)")]
    private static partial void LogRuntimeUsersReplaced(ILogger logger, string folder, string users, int dropped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{File}: skipped {Document} (only RedisAclUser, RedisAcl, RedisAclServer and Secret are read)")]
    private static partial void LogIgnored(ILogger logger, string file, string document);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Folder} for changes (poll every {Seconds} s)")]
    private static partial void LogWatching(ILogger logger, string folder, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No file notifications for {Folder} ({Reason}); changes are found by polling")]
    private static partial void LogWatcherUnavailable(ILogger logger, string folder, string reason);
}
