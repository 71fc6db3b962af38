namespace AclOperator.Product.Tests.Support;

/// <summary>
/// The cancellation token the shared product harness (Support/) uses: the running test's. The operator benchmarks link
/// Support/ and bring their own ProductContext.
/// </summary>
internal static class ProductContext
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
