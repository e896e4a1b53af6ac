import { wrongTypeRule } from './schema-rules';
import { K8S_SCHEMA_KINDS } from '../model/schema';

export default wrongTypeRule('k8s', {
  id: 'k8s-wrong-type',
  description: 'A Gateway API resource or a Kubernetes field meshlint reads has a value of the wrong type, e.g. an unquoted `true` or number as a label, annotation or ConfigMap value, or a quoted port number: the API server rejects the object.',
  kinds: K8S_SCHEMA_KINDS,
});
