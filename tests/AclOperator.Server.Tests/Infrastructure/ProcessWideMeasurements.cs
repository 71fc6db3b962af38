using Xunit;

namespace AclOperator.Server.Tests.Infrastructure;

/// <summary>
/// Tests that measure the whole process (thread count, allocated bytes) must not share it with other tests, and tests
/// that load it heavily (filling stores) must not slow timing-sensitive ones down: this collection runs alone.
/// </summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;
