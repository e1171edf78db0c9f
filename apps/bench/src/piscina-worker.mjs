export default function echo(value) {
  return value;
}
