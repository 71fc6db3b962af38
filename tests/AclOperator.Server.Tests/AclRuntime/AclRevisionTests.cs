using AclOperator.Acl;
using AclOperator.Acl.Users;
using AclOperator.Server.AclRuntime;
using Xunit;

namespace AclOperator.Server.Tests.AclRuntime;

/// <summary>O12: the revision an AclManager reports, and its reload counts.</summary>
public sealed class AclRevisionTests
{
    [Fact]
    public void Nothing_is_loaded_before_the_first_table()
    {
        var acl = new AclManager(AclOptions.Default, null, new NoClients());
        Assert.False(acl.IsLoaded);
        Assert.Null(acl.Revision);
    }

    [Fact]
    public async Task Complete_tables_count_local_revisions_and_runtime_changes_keep_them()
    {
        var source = new StubSource();
        var acl = new AclManager(AclOptions.Default, source, new NoClients());
        acl.Replace(new AclUserTable(AclOptions.Default));
        Assert.Equal("local-1", acl.Revision);
        Assert.True(acl.IsLoaded);
        Assert.Equal(0, acl.ReloadsSucceeded);

        long epoch = acl.Current.Epoch;
        Assert.Null(acl.SetUser("u", "on", "+get"));
        Assert.Equal(epoch + 1, acl.Current.Epoch);
        Assert.Equal("local-1", acl.Revision);

        Assert.Null(await acl.LoadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("local-2", acl.Revision);
        Assert.Equal(1, acl.ReloadsSucceeded);
        Assert.Equal(0, acl.ReloadsFailed);
    }

    [Fact]
    public async Task A_source_revision_is_published_as_given()
    {
        var source = new StubSource { Revision = "manifest-7" };
        var acl = new AclManager(AclOptions.Default, source, new NoClients());
        acl.Replace(new AclUserTable(AclOptions.Default), "manifest-6");
        Assert.Equal("manifest-6", acl.Revision);

        Assert.Null(await acl.LoadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("manifest-7", acl.Revision);
        Assert.Equal("manifest-7", acl.Current.Revision);
    }

    [Fact]
    public async Task A_failed_load_keeps_the_revision_and_counts_a_failure()
    {
        var source = new StubSource();
        var acl = new AclManager(AclOptions.Default, source, new NoClients());
        acl.Replace(new AclUserTable(AclOptions.Default));
        source.Error = "bad rules";

        Assert.Equal("bad rules", await acl.LoadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("local-1", acl.Revision);
        Assert.Equal(0, acl.ReloadsSucceeded);
        Assert.Equal(1, acl.ReloadsFailed);

        acl.ReportLoadFailed();
        Assert.Equal(2, acl.ReloadsFailed);
    }

    private sealed class NoClients : IAclClientRegistry
    {
        public IReadOnlyList<IAclClient> Snapshot() => [];
    }

    private sealed class StubSource : IAclSource
    {
        public string? Revision { get; set; }

        public string? Error { get; set; }

        public string Description => "stub";

        public Task<AclSourceResult> LoadAsync(AclOptions options, CancellationToken cancellationToken) =>
            Task.FromResult(Error is null
                ? new AclSourceResult(new AclUserTable(options), null, Revision)
                : new AclSourceResult(null, Error));

        public Task<string?> SaveAsync(AclUserTable table, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
