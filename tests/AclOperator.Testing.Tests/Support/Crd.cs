using AclOperator.Testing.FakeKube;

namespace AclOperator.Testing.Tests.Support;

internal static class Crd
{
    /// <summary>Registers the Widget CRD and checks the server accepted it.</summary>
    public static async Task RegisterWidgetsAsync(RawApi raw)
    {
        var r = await raw.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Samples.WidgetCrd);
        Assert.True(r.Status == 201, r.Text);
    }

    public static async Task<(FakeKubeServer Server, RawApi Raw)> StartWithWidgetsAsync()
    {
        var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var raw = new RawApi(server);
        await RegisterWidgetsAsync(raw);
        return (server, raw);
    }
}
