import { unknownFieldRule } from './schema-rules';
import { SCHEMA_KINDS } from '../model/schema';

export { scalarText } from './schema-rules';

export default unknownFieldRule('istio', {
  id: 'istio-unknown-field',
  description: 'An Istio resource sets a field its CRD schema (for the object\'s own apiVersion) does not have, e.g. `trafficPolicy.tsl`: strict field validation rejects the object, other clients drop the field, and its setting never applies.',
  kinds: SCHEMA_KINDS,
});
