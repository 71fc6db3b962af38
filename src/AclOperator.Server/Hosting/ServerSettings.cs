namespace AclOperator.Server.Hosting;

/// <summary>
/// The directives the connection path reads on every command or connection; updated by CONFIG SET. Kept as plain
/// volatile fields so the hot path reads them without locks.
/// </summary>
internal sealed class ServerSettings
{
    private volatile bool _trustScripts;
    private volatile bool _allowMigrate;
    private volatile bool _aclMetricsPerUser;
    private volatile int _maxClients = 10_000;
    private long _protoMaxBulkLen = 512L * 1024 * 1024;
    private long _clientQueryBufferLimit = 1024L * 1024 * 1024;
    private long _pubsubOutputHardLimit = 32L * 1024 * 1024;
    private volatile int _databases = 16;

    /// <summary>aclop extension (E8): scripts and functions run for any user that may call them.</summary>
    public bool TrustScripts { get => _trustScripts; set => _trustScripts = value; }

    /// <summary>aclop extension (E2): MIGRATE is refused unless allowed.</summary>
    public bool AllowMigrate { get => _allowMigrate; set => _allowMigrate = value; }

    /// <summary>aclop extension: aclop_acl_user_denials_total with a user label.</summary>
    public bool AclMetricsPerUser { get => _aclMetricsPerUser; set => _aclMetricsPerUser = value; }

    public int MaxClients { get => _maxClients; set => _maxClients = value; }

    public int Databases { get => _databases; set => _databases = value; }

    public long ProtoMaxBulkLen { get => Interlocked.Read(ref _protoMaxBulkLen); set => Interlocked.Exchange(ref _protoMaxBulkLen, value); }

    public long ClientQueryBufferLimit { get => Interlocked.Read(ref _clientQueryBufferLimit); set => Interlocked.Exchange(ref _clientQueryBufferLimit, value); }

    /// <summary>client-output-buffer-limit pubsub hard limit (bytes; 0 = none).</summary>
    public long PubSubOutputHardLimit { get => Interlocked.Read(ref _pubsubOutputHardLimit); set => Interlocked.Exchange(ref _pubsubOutputHardLimit, value); }
}
