import { unknownFieldRule } from './schema-rules';
import { K8S_SCHEMA_KINDS } from '../model/schema';

export default unknownFieldRule('k8s', {
  id: 'k8s-unknown-field',
  description: 'A Gateway API resource, or a Kubernetes field meshlint reads (Service spec, pod template metadata and container ports, Ingress backends, Namespace and ConfigMap), sets a field its schema does not have, e.g. a Service `selecter`: strict field validation rejects the object, other clients drop the field.',
  kinds: K8S_SCHEMA_KINDS,
});
