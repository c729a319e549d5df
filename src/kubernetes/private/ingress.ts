import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** What `addSingleRouteIngress` emits. */
export interface SingleRouteIngressProps {
  readonly name: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
  readonly ingressClassName: string;
  readonly host?: string;
  readonly path: string;
  /** The Service every request under `path` goes to. */
  readonly serviceName: string;
  /** The Service port, by number or by name. */
  readonly port: k8s.ServiceBackendPort;
}

/** An Ingress with one host and one `Prefix` path to one Service (the NGINX and ALB routers' shape). */
export function addSingleRouteIngress(scope: Construct, id: string, props: SingleRouteIngressProps): k8s.KubeIngress {
  return new k8s.KubeIngress(scope, id, {
    metadata: { name: props.name, labels: props.labels, annotations: props.annotations },
    spec: {
      ingressClassName: props.ingressClassName,
      rules: [{
        host: props.host,
        http: {
          paths: [{
            path: props.path,
            pathType: 'Prefix',
            backend: { service: { name: props.serviceName, port: props.port } },
          }],
        },
      }],
    },
  });
}
