using Xunit;

namespace AclOperator.Server.Tests.Infrastructure;

/// <summary>
/// Tests that measure the whole process (thread count, allocated bytes) must not share it with other tests: this
/// collection runs alone.
/// </summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;
