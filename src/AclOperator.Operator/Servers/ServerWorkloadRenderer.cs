using System.Globalization;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Servers;

/// <summary>
/// The objects a RedisAclServer owns, as the operator wants them (issue 7 contract): StatefulSet, client and headless
/// Services, ServiceAccount, Role and RoleBinding of the pods, one Lease per pod, PodDisruptionBudget (replicas &gt; 1),
/// NetworkPolicy. Pure: no I/O, the same server and options give equal objects. Every object carries the contract's
/// labels (never the CR's own, O12) and a controller owner reference to the server, all in the server's namespace.
/// </summary>
public static class ServerWorkloadRenderer
{
    public const string EmbeddedBackend = "embedded";
    public const string SidecarBackend = "sidecar";
    public const string UpstreamBackend = "upstream";

    private const string RbacGroup = "rbac.authorization.k8s.io";
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";
    private static readonly string[] ReadVerbs = ["get", "list", "watch"];

    /// <summary>
    /// The server image the pods run: <c>spec.image</c>, else the image pinned in <c>status.image</c> (so an operator
    /// upgrade does not roll the pods, O13), else the operator's default. The reconciler pins the result in status.
    /// </summary>
    public static string ResolveImage(RedisAclServer server, ServerWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        return NonEmpty(server.Spec.Image) ?? NonEmpty(server.Status?.Image) ?? NonEmpty(options.DefaultImage)
            ?? throw new ArgumentException("no server image: the server sets no spec.image, none is pinned in status and the options have no DefaultImage", nameof(options));
    }

    /// <summary>
    /// The desired objects in the order to apply them: the pods' identity and permissions first, the StatefulSet last.
    /// </summary>
    /// <exception cref="ArgumentException">The server has no namespace or uid, or a name its objects cannot be derived from.</exception>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Render(RedisAclServer server, ServerWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        if (ServerObjectNames.NameProblem(server.Metadata.Name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(server));
        }
        if (string.IsNullOrEmpty(server.Metadata.NamespaceProperty) || string.IsNullOrEmpty(server.Metadata.Uid))
        {
            throw new ArgumentException("the server needs a namespace and a uid (render a server read from the API)", nameof(server));
        }
        if (string.IsNullOrEmpty(options.OperatorNamespace))
        {
            throw new ArgumentException("OperatorNamespace is required for the NetworkPolicy's admin-port rule", nameof(options));
        }
        var s = new Context(server, options);
        var objects = new List<IKubernetesObject<V1ObjectMeta>>
        {
            ServiceAccount(s),
            Role(s),
            RoleBinding(s),
        };
        for (var ordinal = 0; ordinal < s.Replicas; ordinal++)
        {
            objects.Add(Lease(s, ordinal));
        }
        objects.Add(HeadlessService(s));
        objects.Add(ClientService(s));
        objects.Add(NetworkPolicy(s));
        if (s.Replicas > 1)
        {
            objects.Add(PodDisruptionBudget(s));
        }
        objects.Add(StatefulSet(s));
        return objects;
    }

    /// <summary>What the renderer reads from the server, resolved once.</summary>
    private sealed class Context
    {
        public Context(RedisAclServer server, ServerWorkloadOptions options)
        {
            Server = server;
            Options = options;
            Name = server.Metadata.Name;
            Namespace = server.Metadata.NamespaceProperty;
            Replicas = server.Spec.Replicas ?? 1;
            Backend = NonEmpty(server.Spec.Backend?.Type) ?? SidecarBackend;
            TlsSecret = NonEmpty(server.Spec.Service?.TlsSecretName);
            Image = ResolveImage(server, options);
        }

        public RedisAclServer Server { get; }

        public ServerWorkloadOptions Options { get; }

        public string Name { get; }

        public string Namespace { get; }

        public int Replicas { get; }

        public string Backend { get; }

        public string? TlsSecret { get; }

        public string Image { get; }

        public bool Upstream => Backend == UpstreamBackend;

        public bool Sidecar => Backend == SidecarBackend;

        public bool PersistentData => Backend == EmbeddedBackend && Server.Spec.Backend?.Embedded?.StorageSize is not null;

        public V1ObjectMeta Meta(string name, IDictionary<string, string>? annotations = null) => new()
        {
            Name = name,
            NamespaceProperty = Namespace,
            Labels = ServerLabels.For(Server),
            Annotations = annotations,
            OwnerReferences = [KubernetesObjects.ControllerReference(Server)],
        };

        public V1LabelSelector Selector() => new() { MatchLabels = ServerLabels.Selector(Server) };
    }

    private static T Typed<T>(T obj)
        where T : IKubernetesObject
    {
        var resource = ApiResource.For<T>();
        obj.ApiVersion = resource.ApiVersion;
        obj.Kind = resource.Kind;
        return obj;
    }

    private static V1ServiceAccount ServiceAccount(Context s) => Typed(new V1ServiceAccount
    {
        Metadata = s.Meta(ServerObjectNames.ServiceAccount(s.Name)),
        AutomountServiceAccountToken = false,
    });

    /// <summary>Read access to the snapshot objects and the pod's own Lease, by name only (O5): no rule without resourceNames.</summary>
    private static V1Role Role(Context s)
    {
        var manifests = new List<string> { ServerObjectNames.Manifest(s.Name) };
        var secrets = new List<string> { ServerObjectNames.HashesKey(s.Name) };
        for (var i = 0; i < ServerObjectNames.MaxShards; i++)
        {
            foreach (var slot in "ab")
            {
                manifests.Add(ServerObjectNames.RulesShard(s.Name, i, slot));
                secrets.Add(ServerObjectNames.HashesShard(s.Name, i, slot));
            }
        }
        secrets.Add(ServerObjectNames.Runtime(s.Name));
        var rules = new List<V1PolicyRule>
        {
            new() { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = manifests, Verbs = ReadVerbs },
            new() { ApiGroups = [""], Resources = ["secrets"], ResourceNames = secrets, Verbs = ReadVerbs },
            new() { ApiGroups = [""], Resources = ["secrets"], ResourceNames = [ServerObjectNames.Runtime(s.Name)], Verbs = ["update"] },
        };
        // With no replicas there is no Lease to name, and a rule with empty resourceNames would grant every Lease.
        if (s.Replicas > 0)
        {
            rules.Add(new V1PolicyRule
            {
                ApiGroups = ["coordination.k8s.io"],
                Resources = ["leases"],
                ResourceNames = [.. Enumerable.Range(0, s.Replicas).Select(i => ServerObjectNames.Lease(s.Name, i))],
                Verbs = ["get", "update"],
            });
        }
        return Typed(new V1Role { Metadata = s.Meta(ServerObjectNames.Role(s.Name)), Rules = rules });
    }

    private static V1RoleBinding RoleBinding(Context s) => Typed(new V1RoleBinding
    {
        Metadata = s.Meta(ServerObjectNames.RoleBinding(s.Name)),
        RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "Role", Name = ServerObjectNames.Role(s.Name) },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = ServerObjectNames.ServiceAccount(s.Name), NamespaceProperty = s.Namespace }],
    });

    /// <summary>Created empty by the operator; the pod fills in holder, renew time and its enforced revision.</summary>
    private static V1Lease Lease(Context s, int ordinal) => Typed(new V1Lease
    {
        Metadata = s.Meta(ServerObjectNames.Lease(s.Name, ordinal)),
    });

    private static V1Service HeadlessService(Context s)
    {
        var ports = new List<V1ServicePort> { ServicePort(ServerPodLayout.RespPortName, ServerPodLayout.RespPort, ServerPodLayout.RespPortName) };
        if (s.TlsSecret is not null)
        {
            ports.Add(ServicePort(ServerPodLayout.TlsPortName, ServerPodLayout.TlsPort, ServerPodLayout.TlsPortName));
        }
        ports.Add(ServicePort(ServerPodLayout.AdminPortName, ServerPodLayout.AdminPort, ServerPodLayout.AdminPortName));
        return Typed(new V1Service
        {
            Metadata = s.Meta(ServerObjectNames.HeadlessService(s.Name)),
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None",
                // The operator reaches pods that are not ready yet (a pod with nothing loaded is unready, O7).
                PublishNotReadyAddresses = true,
                Selector = ServerLabels.Selector(s.Server),
                Ports = ports,
            },
        });
    }

    private static V1Service ClientService(Context s)
    {
        var service = s.Server.Spec.Service;
        var target = s.TlsSecret is null ? ServerPodLayout.RespPortName : ServerPodLayout.TlsPortName;
        return Typed(new V1Service
        {
            Metadata = s.Meta(ServerObjectNames.Service(s.Name), Sorted(service?.Annotations)),
            Spec = new V1ServiceSpec
            {
                Type = NonEmpty(service?.Type) ?? "ClusterIP",
                // Pods stuck on an old revision are taken out by the operator (O15).
                Selector = ServerLabels.ServiceSelector(s.Server),
                Ports = [ServicePort(ServerPodLayout.RespPortName, service?.Port ?? ServerPodLayout.RespPort, target)],
            },
        });
    }

    private static V1ServicePort ServicePort(string name, int port, string targetPort) =>
        new() { Name = name, Protocol = "TCP", Port = port, TargetPort = targetPort };

    /// <summary>
    /// Clients reach the RESP port (only the TLS port when TLS is on: the plain port is then for the pod itself); the
    /// admin port only the operator's pods (O6-TLS).
    /// </summary>
    private static V1NetworkPolicy NetworkPolicy(Context s) => Typed(new V1NetworkPolicy
    {
        Metadata = s.Meta(ServerObjectNames.NetworkPolicy(s.Name)),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = s.Selector(),
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = s.TlsSecret is null ? ServerPodLayout.RespPort : ServerPodLayout.TlsPort }],
                },
                new V1NetworkPolicyIngressRule
                {
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = ServerPodLayout.AdminPort }],
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = s.Options.OperatorNamespace } },
                            PodSelector = new V1LabelSelector { MatchLabels = Sorted(s.Options.OperatorPodLabels) ?? new Dictionary<string, string>() },
                        },
                    ],
                },
            ],
        },
    });

    private static V1PodDisruptionBudget PodDisruptionBudget(Context s) => Typed(new V1PodDisruptionBudget
    {
        Metadata = s.Meta(ServerObjectNames.PodDisruptionBudget(s.Name)),
        Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = s.Selector() },
    });

    private static V1StatefulSet StatefulSet(Context s)
    {
        var embedded = s.Server.Spec.Backend?.Embedded;
        return Typed(new V1StatefulSet
        {
            Metadata = s.Meta(ServerObjectNames.StatefulSet(s.Name)),
            Spec = new V1StatefulSetSpec
            {
                Replicas = s.Replicas,
                Selector = s.Selector(),
                ServiceName = ServerObjectNames.HeadlessService(s.Name),
                // Upstream proxies share one store: no reason to start them one by one (O11).
                PodManagementPolicy = s.Upstream ? "Parallel" : "OrderedReady",
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = ServerLabels.Pod(s.Server) },
                    Spec = PodSpec(s),
                },
                VolumeClaimTemplates = s.PersistentData
                    ?
                    [
                        new V1PersistentVolumeClaim
                        {
                            Metadata = new V1ObjectMeta { Name = ServerPodLayout.DataVolume, Labels = ServerLabels.For(s.Server) },
                            Spec = new V1PersistentVolumeClaimSpec
                            {
                                AccessModes = ["ReadWriteOnce"],
                                StorageClassName = NonEmpty(embedded?.StorageClassName),
                                Resources = new V1VolumeResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(embedded!.StorageSize!.ToString()) },
                                },
                            },
                        },
                    ]
                    : null,
            },
        });
    }

    private static V1PodSpec PodSpec(Context s)
    {
        var containers = new List<V1Container> { ServerContainer(s) };
        if (s.Sidecar)
        {
            containers.Add(StoreContainer(s));
        }
        var volumes = new List<V1Volume>
        {
            new() { Name = ServerPodLayout.LastGoodVolume, EmptyDir = new V1EmptyDirVolumeSource() },
        };
        if (!s.PersistentData)
        {
            // --dir /data must exist for every backend; only a sized embedded store keeps it on a PVC.
            volumes.Add(new V1Volume { Name = ServerPodLayout.DataVolume, EmptyDir = new V1EmptyDirVolumeSource() });
        }
        if (s.TlsSecret is not null)
        {
            // 0440 with fsGroup: the key is readable by the server's group only.
            volumes.Add(new V1Volume { Name = ServerPodLayout.TlsVolume, Secret = new V1SecretVolumeSource { SecretName = s.TlsSecret, DefaultMode = 288 } });
        }
        volumes.Add(ApiAccessVolume());
        return new V1PodSpec
        {
            ServiceAccountName = ServerObjectNames.ServiceAccount(s.Name),
            // Only the server container gets a token, through the projected volume below (O5).
            AutomountServiceAccountToken = false,
            EnableServiceLinks = false,
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                FsGroup = ServerPodLayout.ServerUser,
                FsGroupChangePolicy = "OnRootMismatch",
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            Containers = containers,
            Volumes = volumes,
        };
    }

    /// <summary>What the ServiceAccount admission plugin would mount: a bound token, the cluster CA and the namespace.</summary>
    private static V1Volume ApiAccessVolume() => new()
    {
        Name = ServerPodLayout.ApiAccessVolume,
        Projected = new V1ProjectedVolumeSource
        {
            DefaultMode = 420,
            Sources =
            [
                new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = ServerPodLayout.ServiceAccountTokenSeconds } },
                new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                new V1VolumeProjection
                {
                    DownwardAPI = new V1DownwardAPIProjection
                    {
                        Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                    },
                },
            ],
        },
    };

    private static V1Container ServerContainer(Context s)
    {
        var ports = new List<V1ContainerPort> { new() { Name = ServerPodLayout.RespPortName, ContainerPort = ServerPodLayout.RespPort, Protocol = "TCP" } };
        if (s.TlsSecret is not null)
        {
            ports.Add(new V1ContainerPort { Name = ServerPodLayout.TlsPortName, ContainerPort = ServerPodLayout.TlsPort, Protocol = "TCP" });
        }
        ports.Add(new V1ContainerPort { Name = ServerPodLayout.AdminPortName, ContainerPort = ServerPodLayout.AdminPort, Protocol = "TCP" });

        var env = new List<V1EnvVar>
        {
            new() { Name = ServerPodLayout.PodNameVariable, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.name" } } },
            new() { Name = ServerPodLayout.PodNamespaceVariable, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } } },
        };
        if (s.Upstream && s.Server.Spec.Backend?.Upstream?.PasswordSecretRef is { } password)
        {
            env.Add(new V1EnvVar
            {
                Name = ServerPodLayout.UpstreamPasswordVariable,
                ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = password.Name, Key = password.Key } },
            });
        }

        var mounts = new List<V1VolumeMount>
        {
            new() { Name = ServerPodLayout.LastGoodVolume, MountPath = ServerPodLayout.LastGoodDirectory },
            new() { Name = ServerPodLayout.DataVolume, MountPath = ServerPodLayout.DataDirectory },
        };
        if (s.TlsSecret is not null)
        {
            mounts.Add(new V1VolumeMount { Name = ServerPodLayout.TlsVolume, MountPath = ServerPodLayout.TlsDirectory, ReadOnlyProperty = true });
        }
        mounts.Add(new V1VolumeMount { Name = ServerPodLayout.ApiAccessVolume, MountPath = ServerPodLayout.ServiceAccountDirectory, ReadOnlyProperty = true });

        return new V1Container
        {
            Name = ServerPodLayout.ServerContainer,
            Image = s.Image,
            Args = ServerArgs(s),
            Ports = ports,
            Env = env,
            Resources = s.Server.Spec.Resources is { } resources ? KubernetesObjects.DeepCopy(resources) : null,
            ReadinessProbe = HttpProbe(ServerPodLayout.ReadinessPath, periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = HttpProbe(ServerPodLayout.LivenessPath, periodSeconds: 10, failureThreshold: 6),
            SecurityContext = Restricted(ServerPodLayout.ServerUser),
            VolumeMounts = mounts,
        };
    }

    /// <summary>The contract's command line, after the image's <c>aclop-server</c> entrypoint.</summary>
    private static List<string> ServerArgs(Context s)
    {
        var args = new List<string>
        {
            "--port", Number(ServerPodLayout.RespPort),
            "--admin-port", Number(ServerPodLayout.AdminPort),
            "--admin-bind", "0.0.0.0",
            "--kubernetes", s.Name,
            "--kubernetes-namespace", s.Namespace,
            "--kubernetes-pod", "$(" + ServerPodLayout.PodNameVariable + ")",
            "--kubernetes-last-good", ServerPodLayout.LastGoodFile,
            "--dir", ServerPodLayout.DataDirectory,
        };
        if (s.Sidecar)
        {
            args.AddRange(["--upstream", "127.0.0.1:" + Number(ServerPodLayout.SidecarPort)]);
        }
        else if (s.Upstream && s.Server.Spec.Backend?.Upstream is { } upstream)
        {
            var host = upstream.Host.Contains(':', StringComparison.Ordinal) && !upstream.Host.StartsWith('[') ? "[" + upstream.Host + "]" : upstream.Host;
            args.AddRange(["--upstream", host + ":" + Number(upstream.Port ?? ServerPodLayout.RespPort)]);
            if (NonEmpty(upstream.Username) is { } user)
            {
                args.AddRange(["--upstream-user", user]);
            }
            if (upstream.Tls == true)
            {
                args.AddRange(["--upstream-tls", "yes"]);
            }
        }
        if (s.TlsSecret is not null)
        {
            args.AddRange(
            [
                "--tls-port", Number(ServerPodLayout.TlsPort),
                "--tls-cert-file", ServerPodLayout.TlsCertFile,
                "--tls-key-file", ServerPodLayout.TlsKeyFile,
                "--tls-auth-clients", "no",
            ]);
        }
        return args;
    }

    private static V1Container StoreContainer(Context s)
    {
        var sidecar = s.Server.Spec.Backend?.Sidecar;
        var image = NonEmpty(sidecar?.Image) ?? (sidecar?.Flavor == "redis" ? ServerPodLayout.RedisImage : ServerPodLayout.ValkeyImage);
        return new V1Container
        {
            Name = ServerPodLayout.StoreContainer,
            Image = image,
            // Localhost only and nothing on disk: the store is reachable through the enforcement server alone.
            Args = ["--bind", "127.0.0.1", "--port", Number(ServerPodLayout.SidecarPort), "--save", "", "--protected-mode", "yes"],
            SecurityContext = Restricted(ServerPodLayout.StoreUser),
        };
    }

    private static V1Probe HttpProbe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = ServerPodLayout.AdminPortName },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
    };

    private static V1SecurityContext Restricted(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = user,
        ReadOnlyRootFilesystem = true,
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    /// <summary>Map entries in ordinal key order, so equal input serializes (and hashes) equally.</summary>
    private static Dictionary<string, string>? Sorted(IDictionary<string, string>? map) =>
        map is null || map.Count == 0 ? null : map.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
