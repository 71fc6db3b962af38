namespace AclOperator.Acl.Commands;

/// <summary>Extra argument checks the ACL applies to a command besides its key specs, decided once per command.</summary>
internal enum ArgumentCheck : byte
{
    None = 0,
    /// <summary>PUBLISH, SPUBLISH: argv[1] is a channel, glob-matched.</summary>
    PublishChannel,
    /// <summary>SUBSCRIBE, SSUBSCRIBE: every argument is a channel, glob-matched.</summary>
    SubscribeChannels,
    /// <summary>PSUBSCRIBE: every argument is a pattern, compared literally.</summary>
    SubscribePatterns,
    /// <summary>SORT: BY/GET patterns need full read access (E16).</summary>
    Sort,
    /// <summary>SORT_RO: as SORT, without STORE.</summary>
    SortReadOnly,
}
