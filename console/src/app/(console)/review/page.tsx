export default function ReviewPage() { return <p>review</p>; }
