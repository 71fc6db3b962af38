using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AclOperator.Server.Tests.Differential;

/// <summary>One write of a scripted session; when <see cref="SyncMarker"/> is set the runner reads until the reply
/// that carries it arrived before sending the next chunk.</summary>
internal sealed record DiffChunk(byte[] Bytes, byte[]? SyncMarker);

/// <summary>
/// A scripted client session: raw request bytes sent as one pipelined write or in chunks. The same session runs
/// against real redis-server and against our server; the raw reply streams are then compared byte for byte after
/// <see cref="DiffNormalizer"/>.
/// </summary>
internal sealed class DiffSession
{
    /// <summary>An <c>ECHO</c> of this marker directly precedes every <c>CLIENT ID</c> so its integer can be normalised.</summary>
    public const string IdMarker = "__id__";

    private readonly List<DiffChunk> _chunks = [];
    private readonly List<byte> _current = [];
    private int _syncs;
    private bool _built;

    public DiffSession(string name) => Name = name;

    public string Name { get; }

    /// <summary>The server must close the connection after the session (QUIT, protocol errors); read to EOF.</summary>
    public bool ExpectClose { get; private set; }

    /// <summary>Shut down our sending side after the last chunk (truncated frames).</summary>
    public bool HalfClose { get; private set; }

    /// <summary>The user Redis 7.0's NOPERM texts are rewritten to (7.2 added the user name to the text).</summary>
    public string NopermUser { get; set; } = "default";

    /// <summary>Time limit for each wait (sync markers, EOF).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra normalisations (regex → replacement) over the Latin-1 reply stream, applied to both sides.</summary>
    public List<(Regex Pattern, string Replacement)> Normalizations { get; } = [];

    /// <summary>A multibulk command (arguments as UTF-8).</summary>
    public DiffSession Cmd(params string[] argv) => Raw(Encode(argv.Select(a => Encoding.UTF8.GetBytes(a)).ToArray()));

    /// <summary>A multibulk command with binary arguments.</summary>
    public DiffSession CmdBytes(params byte[][] argv) => Raw(Encode(argv));

    /// <summary>An inline command line (Latin-1); CRLF is appended.</summary>
    public DiffSession Inline(string line) => Raw(Encoding.Latin1.GetBytes(line + "\r\n"));

    /// <summary>Raw bytes appended to the current chunk.</summary>
    public DiffSession Raw(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _current.AddRange(bytes);
        return this;
    }

    /// <summary>Raw Latin-1 text appended to the current chunk (no CRLF added).</summary>
    public DiffSession Raw(string latin1) => Raw(Encoding.Latin1.GetBytes(latin1));

    /// <summary><c>ECHO __id__</c> then <c>CLIENT ID</c>: the id is normalised (ours and Redis's ids differ).</summary>
    public DiffSession ClientId() => Cmd("ECHO", IdMarker).Cmd("CLIENT", "ID");

    /// <summary>Ends the chunk with <c>PING &lt;marker&gt;</c> and waits for its reply before sending more.</summary>
    public DiffSession Sync()
    {
        string marker = "__sync" + (++_syncs).ToString(CultureInfo.InvariantCulture) + "__";
        Cmd("PING", marker);
        EndChunk(Encoding.ASCII.GetBytes(marker));
        return this;
    }

    /// <summary>Ends the chunk without waiting: what follows is a separate write.</summary>
    public DiffSession Flush()
    {
        EndChunk(null);
        return this;
    }

    /// <summary>The server closes the connection: no final sync, read to EOF (optionally after a half-close).</summary>
    public DiffSession ThenClose(bool halfClose = false)
    {
        ExpectClose = true;
        HalfClose = halfClose;
        return this;
    }

    public IReadOnlyList<DiffChunk> Build()
    {
        if (!_built)
        {
            _built = true;
            if (ExpectClose)
            {
                EndChunk(null);
            }
            else
            {
                Sync();
            }
        }

        return _chunks;
    }

    public override string ToString() => Name;

    public static byte[] Encode(IReadOnlyList<byte[]> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        using var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes("*" + argv.Count.ToString(CultureInfo.InvariantCulture) + "\r\n"));
        foreach (byte[] a in argv)
        {
            ms.Write(Encoding.ASCII.GetBytes("$" + a.Length.ToString(CultureInfo.InvariantCulture) + "\r\n"));
            ms.Write(a);
            ms.Write("\r\n"u8);
        }

        return ms.ToArray();
    }

    private void EndChunk(byte[]? marker)
    {
        if (_current.Count > 0 || marker is not null)
        {
            _chunks.Add(new DiffChunk([.. _current], marker));
            _current.Clear();
        }
    }
}
