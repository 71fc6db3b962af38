namespace AclOperator.Product.Tests.Support;

/// <summary>The cancellation token of the linked product harness: the benchmark's process-wide one (Ctrl-C).</summary>
internal static class ProductContext
{
    public static CancellationTokenSource Stop { get; } = new();

    public static CancellationToken Ct => Stop.Token;
}
